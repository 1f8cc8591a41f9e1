import type { DeviceBuffer } from './device';
// Memory ledger: every GPU buffer is allocated through it under a category, so the
// benchmark and the UI can show training memory next to the inference baseline.

export type MemoryCategory = 'weights' | 'trainable' | 'optimizer' | 'activations' | 'scratch' | 'staging';

export const MEMORY_CATEGORIES: readonly MemoryCategory[] = [
  'weights',
  'trainable',
  'optimizer',
  'activations',
  'scratch',
  'staging',
];

export interface LedgerSnapshot {
  current: Record<MemoryCategory, number>;
  total: number;
  peak: number;
}

export class MemoryLedger {
  private readonly current = new Map<MemoryCategory, number>();
  private readonly sizes = new Map<DeviceBuffer, { category: MemoryCategory; bytes: number }>();
  private peakBytes = 0;
  private totalBytes = 0;

  record(buffer: DeviceBuffer, category: MemoryCategory, bytes: number): void {
    this.sizes.set(buffer, { category, bytes });
    this.current.set(category, (this.current.get(category) ?? 0) + bytes);
    this.totalBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.totalBytes);
  }

  release(buffer: DeviceBuffer): void {
    const entry = this.sizes.get(buffer);
    if (!entry) return;
    this.sizes.delete(buffer);
    this.current.set(entry.category, (this.current.get(entry.category) ?? 0) - entry.bytes);
    this.totalBytes -= entry.bytes;
  }

  /** Restart peak tracking from the current total (e.g. before measuring one phase). */
  resetPeak(): void {
    this.peakBytes = this.totalBytes;
  }

  snapshot(): LedgerSnapshot {
    const current = Object.fromEntries(
      MEMORY_CATEGORIES.map((c) => [c, this.current.get(c) ?? 0]),
    ) as Record<MemoryCategory, number>;
    return { current, total: this.totalBytes, peak: this.peakBytes };
  }
}
