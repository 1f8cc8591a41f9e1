// Local weights: a folder (config.json, tokenizer.json, *.safetensors) or a single .gguf file,
// by picker or by drag-and-drop. The files stay on this machine; the engine reads them directly.
import { useRef, useState, type DragEvent } from 'react';
import { filesLabel, setModelField } from '../../store/model/actions';
import { useStudio } from '../../store/state';

async function filesFromDrop(event: DragEvent): Promise<File[]> {
  const items = [...event.dataTransfer.items];
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...event.dataTransfer.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      let batch: FileSystemEntry[];
      do {
        batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        for (const child of batch) await walk(child);
      } while (batch.length > 0);
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

export function FilePicker() {
  const files = useStudio((s) => s.files);
  const [over, setOver] = useState(false);
  const folderRef = useRef<HTMLInputElement>(null);
  const pick = (list: FileList | File[] | null) => {
    const chosen = [...(list ?? [])].filter((f) => /\.(gguf|safetensors|json|model|jinja)$/i.test(f.name));
    setModelField('files', chosen);
  };
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void filesFromDrop(e).then(pick);
      }}
    >
      <p>Drop a model folder or a .gguf file here, or:</p>
      <div className="button-row">
        <label className="button">
          Choose a .gguf file
          <input type="file" accept=".gguf" className="visually-hidden" onChange={(e) => pick(e.target.files)} />
        </label>
        <label className="button">
          Choose a model folder
          <input
            ref={(el) => {
              folderRef.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            multiple
            className="visually-hidden"
            onChange={(e) => pick(e.target.files)}
          />
        </label>
      </div>
      <p className="hint" aria-live="polite">
        {files.length ? `Selected: ${filesLabel(files)}` : 'Nothing selected yet. Files never leave this computer.'}
      </p>
    </div>
  );
}
