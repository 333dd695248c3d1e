import { describe, expect, it } from "vitest";
import { formatAngle, parseAngle } from "../src/angle.js";

describe("the g field", () => {
  it("shows pi/2 (and other simple fractions of pi) by name, not 1.5707963267948966", () => {
    expect(formatAngle(Math.PI / 2)).toBe("pi/2");
    expect(formatAngle(Math.PI / 4)).toBe("pi/4");
    expect(formatAngle(1)).toBe("1");
    expect(formatAngle(0.3)).toBe("0.3");
  });

  it("reads numbers and multiples of pi, like nq's --g", () => {
    expect(parseAngle("g", "pi/2", Math.PI / 2)).toBe(Math.PI / 2);
    expect(parseAngle("g", "π/2", Math.PI / 2)).toBe(Math.PI / 2);
    expect(parseAngle("g", "0.25pi", Math.PI / 2)).toBe(Math.PI / 4);
    expect(parseAngle("g", " 1.0 ", Math.PI / 2)).toBe(1);
    expect(parseAngle("g", String(Math.PI / 2), Math.PI / 2)).toBe(Math.PI / 2);
  });

  it("refuses what is not an angle in [0, pi/2] with a message that says so", () => {
    for (const bad of ["", "pi", "2", "-0.1", "abc", "pi/0"]) expect(() => parseAngle("g", bad, Math.PI / 2)).toThrow(/^g must be a number or a multiple of pi from 0 to pi\/2, got /);
  });
});
