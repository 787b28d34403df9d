/**
 * The `boltzlab` command line. Each command prints one JSON document on
 * stdout; errors go to stderr with exit code 2 (usage) or 1 (failure).
 */
import { isUsageError } from "../core/errors";
import { Options, parseArgs, type Command } from "./args";
import { exactCommand } from "./exact";
import { flowCommand } from "./flow";
import { infoCommand } from "./info";
import { meanfieldCommand } from "./meanfield";
import { sampleCommand } from "./sample";
import { trainCommand } from "./train";

/** Every command; later modules add theirs here. */
export const commands: Command[] = [infoCommand, sampleCommand, exactCommand, trainCommand, flowCommand, meanfieldCommand];

function usage(): string {
  const lines = commands.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `usage: boltzlab <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  const name = parsed.positional[0];
  if (name === undefined || name === "help" || parsed.options.help === true) {
    const cmd = commands.find((c) => c.name === parsed.positional[1] || c.name === name);
    process.stdout.write(cmd !== undefined && name !== undefined && name !== "help" ? `usage: ${cmd.usage}\n${cmd.summary}\n` : usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (cmd === undefined) {
    process.stderr.write(`boltzlab: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  if (process.env.BOLTZLAB_PROGRESS === undefined && !process.stderr.isTTY) process.env.BOLTZLAB_PROGRESS = "0";
  try {
    const result = await cmd.run(new Options(parsed, name), parsed.positional.slice(1));
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    // Usage errors are UsageError; the message test stays for errors of lower layers that predate it.
    return isUsageError(e) || /required|must be|unknown option|needs a value|applies to|exactly one of/.test((e as Error).message) ? 2 : 1;
  }
}
