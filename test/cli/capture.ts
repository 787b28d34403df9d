/** `main(argv)` of the CLI in-process, with stdout and stderr captured (restored afterwards). */
import { main } from "../../src/cli/main";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write;
  const w2 = process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}
