// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require("../package.json") as { version: string };
/** The boltzlab package version. */
export const version: string = pkg.version;
