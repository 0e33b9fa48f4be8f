/** Resolves a resx key with `{0}`-style arguments (the control's strings; a missing key shows the key). */
export type Translate = (key: string, ...args: Array<string | number>) => string;

export function translator(getString: (key: string) => string): Translate {
  return (key, ...args) => (getString(key) || key).replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));
}
