/**
 * The size DynamoDB counts for an item (documented rules, rounded up): attribute names and
 * strings in UTF-8 bytes, a number at most 21 bytes, a map or list 3 bytes plus 1 per element and
 * its elements (map keys as names), a boolean or null 1 byte. Used to refuse, before writing, an
 * item that would not fit (src/messages/limits.ts).
 */
export function dynamoItemBytes(item: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue; // the document client drops it (removeUndefinedValues)
    size += Buffer.byteLength(name, 'utf8') + valueBytes(value);
  }
  return size;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(String(value));
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value instanceof Set) return [...value].reduce<number>((sum, element) => sum + valueBytes(element), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, element]) => element !== undefined);
    return 3 + entries.reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueBytes(element), 0);
  }
  return 0;
}

/** One byte per two significant digits plus one (AWS), and one more to stay above any rounding; at most 21. */
function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
  return Math.min(21, 2 + Math.ceil(Math.max(digits, 1) / 2) + (text.startsWith('-') ? 1 : 0));
}
