import { INITIAL_PAGES, MAXIMUM_PAGES } from "./kernels.js";

const ALIGN = 64; // a cache line: vectors never straddle two of them
const PAGE = 65536;

/**
 * A first-fit allocator over the shared WebAssembly memory. Blocks are freed explicitly or when
 * the tensor owning them is garbage collected; neighbouring free blocks merge.
 */
export class Heap {
  readonly memory: WebAssembly.Memory;
  private free: Array<{ at: number; size: number }> = [];
  private top: number;
  /** The highest address ever handed out: memory below it may hold old data, above it is still zero. */
  private highWater: number;
  private f32View: Float32Array;

  constructor(base: number, memory?: WebAssembly.Memory) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.top = align(base);
    this.highWater = this.top;
    this.f32View = new Float32Array(this.memory.buffer);
  }

  /** Float32 view of the whole memory (renewed after growth). */
  get f32(): Float32Array {
    if (this.f32View.byteLength !== this.memory.buffer.byteLength) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** A zero-filled block of at least `size` bytes, 64-byte aligned. */
  alloc(size: number): number {
    size = align(Math.max(size, 1));
    for (let i = 0; i < this.free.length; i++) {
      const blk = this.free[i];
      if (blk.size >= size) {
        const at = blk.at;
        if (blk.size === size) this.free.splice(i, 1);
        else {
          blk.at += size;
          blk.size -= size;
        }
        new Uint8Array(this.memory.buffer, at, size).fill(0);
        return at;
      }
    }
    const at = this.top;
    const end = at + size;
    if (end > this.memory.buffer.byteLength) {
      const pages = Math.ceil((end - this.memory.buffer.byteLength) / PAGE);
      if (this.memory.buffer.byteLength / PAGE + pages > MAXIMUM_PAGES) {
        throw new RangeError(`sim-wasm: out of WebAssembly memory (needs ${end} bytes, at most ${MAXIMUM_PAGES * PAGE})`);
      }
      this.memory.grow(pages);
    }
    // The top retreats when its block is freed, so memory below the high-water mark is reused and
    // must be cleared; memory above it has never been written.
    if (at < this.highWater) new Uint8Array(this.memory.buffer, at, Math.min(end, this.highWater) - at).fill(0);
    this.top = end;
    this.highWater = Math.max(this.highWater, end);
    return at;
  }

  release(at: number, size: number): void {
    size = align(Math.max(size, 1));
    // Keep the list sorted by address and merge neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i].at < at) i++;
    this.free.splice(i, 0, { at, size });
    if (i + 1 < this.free.length && at + size === this.free[i + 1].at) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].at + this.free[i - 1].size === at) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
      i--;
    }
    // A free block at the top goes back to the bump pointer.
    const last = this.free[this.free.length - 1];
    if (last && last.at + last.size === this.top) {
      this.top = last.at;
      this.free.pop();
    }
  }
}

export function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
