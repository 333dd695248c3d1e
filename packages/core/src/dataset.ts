/** A labelled set of examples: x is [n, inputSize] row-major with values in [0, 1]. */
export interface Split {
  readonly n: number;
  readonly x: Float32Array;
  readonly y: Int32Array;
}

export interface Dataset {
  /** Human-readable name, e.g. "mnist-subset" or "synthetic". */
  readonly name: string;
  readonly inputSize: number;
  readonly numClasses: number;
  readonly train: Split;
  readonly test: Split;
}

/** Rows [start, start + count) of a split as a new split. */
export function sliceSplit(s: Split, start: number, count: number, inputSize: number): Split {
  return {
    n: count,
    x: s.x.subarray(start * inputSize, (start + count) * inputSize),
    y: s.y.subarray(start, start + count),
  };
}
