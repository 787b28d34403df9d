/**
 * Talking to the tslab kernel when boltzlab runs inside one. Detection looks
 * at Node's module cache for tslab's own (already loaded) jupyter module, so
 * nothing is loaded when boltzlab runs in a plain Node script.
 */

/** A display bundle: several MIME representations of one output. */
export type MimeBundle = Record<string, string | object>;

interface TslabJupyter {
  lastWriteDisplayData: ((data: unknown, update: boolean) => void) | null;
}

function tslabJupyter(): TslabJupyter | null {
  for (const key of Object.keys(require.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) {
      const mod = require.cache[key]?.exports as TslabJupyter | undefined;
      if (mod !== undefined && typeof mod.lastWriteDisplayData === "function") return mod;
    }
  }
  return null;
}

/** True when running inside a tslab kernel that can display rich output. */
export function inNotebook(): boolean {
  return tslabJupyter() !== null;
}

let displayCounter = 0;

/**
 * Display a MIME bundle in the current notebook cell. With `displayId`, later
 * calls with the same id and `update: true` replace the output in place.
 * Returns false (and does nothing) outside a notebook.
 */
export function displayBundle(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): boolean {
  const j = tslabJupyter();
  if (j === null || j.lastWriteDisplayData === null) return false;
  j.lastWriteDisplayData(
    { data: bundle, metadata: {}, transient: opts.displayId !== undefined ? { display_id: opts.displayId } : {} },
    opts.update === true,
  );
  return true;
}

/** A fresh display id for in-place updates. */
export function newDisplayId(): string {
  displayCounter += 1;
  return `boltzlab-${process.pid}-${Date.now().toString(36)}-${displayCounter}`;
}
