import type { Digits } from "@natural-quantization/datasets";
export declare const DIGITS_MAGIC: string;
export declare function encodeDigits(digits: Digits): Uint8Array;
