/**
 * The `boltzlab` command line. Each command prints one JSON document on
 * stdout; errors go to stderr with exit code 2 (usage) or 1 (failure).
 */
import { isUsageError } from "../core/errors";
import { Options, parseArgs, type Command } from "./args";
import { exactCommand } from "./exact";
import { figureCommand } from "./figure";
import { flowCommand } from "./flow";
import { infoCommand } from "./info";
import { meanfieldCommand } from "./meanfield";
import { sampleCommand } from "./sample";
import { trainCommand } from "./train";

/** Every command; later modules add theirs here. */
export const commands: Command[] = [infoCommand, sampleCommand, exactCommand, trainCommand, flowCommand, meanfieldCommand, figureCommand];

function usage(): string {
  const lines = commands.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `usage: boltzlab <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

/** The first line of an error's message (one line on stderr, never a stack trace). */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const first = msg.split("\n").map((l) => l.trim()).find((l) => l !== "");
  return first ?? (e instanceof Error ? e.name : "boltzlab: failed");
}

/**
 * Run the command line `argv` (without `node` and the script). Resolves to the
 * exit code: 0 on success, 2 for a usage error (`UsageError`: unknown
 * command or option, a missing, malformed or contradictory argument; nothing
 * has been written), 1 for a failure while working. An error prints exactly
 * one line on stderr; `main` itself never rejects.
 */
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
    process.stderr.write(`boltzlab: unknown command "${name}" (commands: ${commands.map((c) => c.name).join(", ")}; see boltzlab help)\n`);
    return 2;
  }
  if (process.env.BOLTZLAB_PROGRESS === undefined && !process.stderr.isTTY) process.env.BOLTZLAB_PROGRESS = "0";
  try {
    const result = await cmd.run(new Options(parsed, name), parsed.positional.slice(1));
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return 0;
  } catch (e) {
    process.stderr.write(`${oneLine(e)}\n`);
    return isUsageError(e) ? 2 : 1;
  }
}
