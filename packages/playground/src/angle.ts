// The g field: shown and typed like the CLI's --g, a number or a multiple of pi ("pi/2", "0.25pi").

/** g as the field shows it: pi/2 (and pi/4, ...) by name, other values as numbers. */
export function formatAngle(g: number): string {
  for (const d of [2, 3, 4, 6, 8]) if (Math.abs(g - Math.PI / d) < 1e-12) return `pi/${d}`;
  return String(g);
}

/** The field's text as an angle in [0, max] (max: pi/2, with a little slack for typed decimals). */
export function parseAngle(field: string, text: string, max: number): number {
  const t = text.trim().toLowerCase();
  const m = /^([0-9.]*)\s*\*?\s*(?:pi|π)(?:\s*\/\s*([0-9.]+))?$/.exec(t);
  const v = m ? ((m[1] === "" ? 1 : Number(m[1])) * Math.PI) / (m[2] === undefined ? 1 : Number(m[2])) : t === "" ? Number.NaN : Number(t);
  if (!Number.isFinite(v) || v < 0 || v > max + 1e-4) throw new Error(`${field} must be a number or a multiple of pi from 0 to pi/2, got ${JSON.stringify(text)}`);
  return v;
}
