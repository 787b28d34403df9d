/** A small argument parser for the `boltzlab` CLI: `--key value`, `--key=value`, `--flag`. */
import { UsageError } from "../core/errors";

export interface ParsedArgs {
  /** Positional words (the command name first). */
  positional: string[];
  /** Options by name (without dashes); a bare flag is `true`. */
  options: Record<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      if (eq > 0) options[a.slice(2, eq)] = a.slice(eq + 1);
      else if (k + 1 < argv.length && !argv[k + 1].startsWith("--")) options[a.slice(2)] = argv[++k];
      else options[a.slice(2)] = true;
    } else positional.push(a);
  }
  return { positional, options };
}

/** Typed access to parsed options, with Errors that name the option. */
export class Options {
  private used = new Set<string>();
  constructor(private readonly parsed: ParsedArgs, private readonly command: string) {}

  has(name: string): boolean {
    this.used.add(name);
    return this.parsed.options[name] !== undefined;
  }
  string(name: string, fallback?: string): string {
    this.used.add(name);
    const v = this.parsed.options[name];
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new UsageError(`boltzlab ${this.command}: --${name} is required`);
    }
    if (v === true) throw new UsageError(`boltzlab ${this.command}: --${name} needs a value`);
    return v;
  }
  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }
  number(name: string, fallback?: number): number {
    this.used.add(name);
    const v = this.parsed.options[name];
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new UsageError(`boltzlab ${this.command}: --${name} is required`);
    }
    const x = v === true ? NaN : Number(v);
    if (!Number.isFinite(x)) throw new UsageError(`boltzlab ${this.command}: --${name} must be a number, got "${String(v)}"`);
    return x;
  }
  integer(name: string, fallback?: number): number {
    const x = this.number(name, fallback);
    if (!Number.isInteger(x)) throw new UsageError(`boltzlab ${this.command}: --${name} must be an integer, got ${x}`);
    return x;
  }
  flag(name: string): boolean {
    this.used.add(name);
    return this.parsed.options[name] !== undefined;
  }
  /** Throws on options the command did not read (typos). Call after reading all options. */
  checkUnused(): void {
    const extra = Object.keys(this.parsed.options).filter((k) => !this.used.has(k));
    if (extra.length > 0) throw new UsageError(`boltzlab ${this.command}: unknown option${extra.length > 1 ? "s" : ""} ${extra.map((e) => "--" + e).join(", ")}`);
  }
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Runs the command and returns the JSON-serialisable result to print. */
  run(options: Options, positional: string[]): Promise<unknown>;
}
