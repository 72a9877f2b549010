// The codes people type and read: imports `IMP-000123`, batch access requests `W000123`, accesses
// `EXT-26-000487`. Recognised in any case, with surrounding space.

export type ItemCode = { kind: 'import' | 'request' | 'access'; code: string };

export function parseItemCode(text: string): ItemCode | undefined {
  const code = text.trim().toUpperCase();
  if (/^IMP-\d{6,}$/.test(code)) return { kind: 'import', code };
  if (/^W\d{6,}$/.test(code)) return { kind: 'request', code };
  if (/^EXT-\d{2}-\d{6,}$/.test(code)) return { kind: 'access', code };
  return undefined;
}
