// Child-process entry for synchronous rendering before vega is loaded in-process.
import { workerMain } from "./render";

workerMain().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
