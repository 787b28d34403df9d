import { backendInfo } from "../core/backend";
import { version } from "../version";
import type { Command } from "./args";

export const infoCommand: Command = {
  name: "info",
  summary: "version, backend and threads as JSON",
  usage: "boltzlab info",
  async run(opts) {
    opts.checkUnused();
    const b = backendInfo();
    return {
      name: "boltzlab",
      version,
      backend: b.name,
      fallbackReason: b.fallbackReason,
      threads: b.threads,
      tfjs: b.tfjsVersion,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
  },
};
