/**
 * Talking to the tslab kernel when boltzlab runs inside one. Detection looks
 * at Node's module cache for tslab's own (already loaded) jupyter module, so
 * nothing is loaded when boltzlab runs in a plain Node script.
 *
 * Output from a long synchronous cell. tslab sends every stream and display
 * message with zeromq's `socket.send(...)` and never awaits it, but a zeromq 6
 * socket allows one send in flight: after 512 sends that complete
 * synchronously it defers the next one to the event loop, and any further
 * `send` before the loop turns throws EBUSY ("Socket is busy writing"). In a
 * cell that computes for minutes without yielding, the 514th message since the
 * last deferral — a progress-bar update, a `console.log` — throws out of the
 * user's code, and the cell fails with an error that has no name or message.
 * `guardKernelSends()` gives tslab's sockets a FIFO queue: a send that zeromq
 * refuses as busy is queued, and the queue drains, in order, as soon as the
 * event loop turns. Nothing is lost or reordered; output that cannot go out
 * while the cell blocks goes out when it yields or ends.
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
  const inside = tslabJupyter() !== null;
  if (inside) guardKernelSends();
  return inside;
}

type SendFn = (this: object, ...args: unknown[]) => unknown;
interface SendQueue { items: unknown[][]; scheduled: boolean }

const GUARD = Symbol.for("boltzlab.zmqSendGuard");
const DRAIN_CHUNK = 100;
const DRAIN_PAUSE_MS = 10;
let guardedModule: unknown = null;

function isBusy(e: unknown): boolean {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown } | null;
  return err !== null && typeof err === "object" && (err.code === "EBUSY" || /busy writing/i.test(String(err.message ?? "")));
}

/**
 * Make the zeromq socket classes that tslab uses (Publisher for output,
 * Router for replies) queue a send that zeromq refuses as busy instead of
 * throwing it into the cell (see the module doc). Idempotent; a no-op when
 * zeromq is not loaded. Returns whether the guard is in place.
 */
export function guardKernelSends(): boolean {
  const key = Object.keys(require.cache).find((k) => /[\\/]zeromq[\\/]lib[\\/]index\.js$/.test(k));
  const zmq = key === undefined ? undefined : (require.cache[key]?.exports as Record<string, { prototype: object }> | undefined);
  if (zmq === undefined) return false;
  if (guardedModule === zmq) return true;
  for (const cls of ["Publisher", "Router"]) {
    const proto = zmq[cls]?.prototype as (Record<PropertyKey, unknown> & object) | undefined;
    if (proto === undefined || Object.prototype.hasOwnProperty.call(proto, GUARD)) continue;
    const send = (proto as { send?: SendFn }).send;
    if (typeof send !== "function") continue;
    const queues = new WeakMap<object, SendQueue>();
    // Drain in paced chunks: a PUB socket silently drops what its peer cannot take in time,
    // so a backlog goes out at most DRAIN_CHUNK messages per DRAIN_PAUSE_MS.
    const drain = (sock: object, q: SendQueue): void => {
      q.scheduled = false;
      let sent = 0;
      while (q.items.length > 0) {
        if (sent >= DRAIN_CHUNK) return schedule(sock, q, DRAIN_PAUSE_MS);
        try {
          send.apply(sock, q.items[0]);
        } catch (e) {
          if (!isBusy(e)) {
            q.items.shift(); // a message zeromq rejects for another reason cannot be retried
            continue;
          }
          return schedule(sock, q, 0);
        }
        q.items.shift();
        sent += 1;
      }
    };
    const schedule = (sock: object, q: SendQueue, ms: number): void => {
      q.scheduled = true;
      if (ms > 0) setTimeout(() => drain(sock, q), ms);
      else setImmediate(() => drain(sock, q));
    };
    const guarded = function (this: object, ...args: unknown[]): unknown {
      let q = queues.get(this);
      if (q === undefined) {
        q = { items: [], scheduled: false };
        queues.set(this, q);
      }
      if (q.items.length === 0) {
        try {
          return send.apply(this, args);
        } catch (e) {
          if (!isBusy(e)) throw e;
        }
      }
      q.items.push(args);
      if (!q.scheduled) schedule(this, q, 0);
      return Promise.resolve();
    };
    Object.defineProperty(proto, "send", { value: guarded, writable: true, configurable: true });
    Object.defineProperty(proto, GUARD, { value: true });
  }
  guardedModule = zmq;
  return true;
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
  guardKernelSends();
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
