// Per-file load progress: bytes so far, rate and time left, throttled so a fast disk does not
// flood the worker channel. The last event of a file always goes out.
import type { LoadProgress } from '../../api';

export type ProgressListener = (progress: LoadProgress) => void;

export class FileProgress {
  private loaded: number;
  private readonly startBytes: number;
  private readonly startTime: number;
  private lastEmit = -Infinity;

  constructor(
    readonly file: string,
    readonly total: number,
    readonly phase: LoadProgress['phase'],
    private readonly listener: ProgressListener | undefined,
    /** Bytes already there (a resumed download): they count as loaded but not in the rate. */
    alreadyLoaded = 0,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.loaded = alreadyLoaded;
    this.startBytes = alreadyLoaded;
    this.startTime = now();
  }

  add(bytes: number): void {
    this.loaded += bytes;
    if (this.now() - this.lastEmit >= this.intervalMs) this.emit();
  }

  finish(): void {
    this.emit();
  }

  snapshot(): LoadProgress {
    const seconds = (this.now() - this.startTime) / 1000;
    const rate = seconds > 0 ? (this.loaded - this.startBytes) / seconds : 0;
    const left = this.total - this.loaded;
    return {
      file: this.file,
      loadedBytes: this.loaded,
      totalBytes: this.total,
      bytesPerSecond: rate,
      secondsLeft: left <= 0 ? 0 : rate > 0 ? left / rate : null,
      phase: this.phase,
    };
  }

  private emit(): void {
    this.lastEmit = this.now();
    this.listener?.(this.snapshot());
  }
}
