/** Java `String.trim()`: strips characters ≤ U+0020 only (JS `trim()` also strips NBSP etc.). */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start += 1;
  while (end > start && s.charCodeAt(end - 1) <= 32) end -= 1;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
