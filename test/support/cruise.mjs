// Runs dependency-cruiser through its API and prints the result as JSON. dependency-cruiser is ESM only and Jest
// runs the tests as CommonJS, so test/architecture.test.ts calls this in a child process:
//   node test/support/cruise.mjs <config file> <base directory> <path>...
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const [configFile, baseDir, ...paths] = process.argv.slice(2);
const options = await extractDepcruiseOptions(configFile);
const { output } = await cruise(paths, { ...options, baseDir }, options.enhancedResolveOptions ?? {});
const result = typeof output === 'string' ? JSON.parse(output) : output;
process.stdout.write(
  JSON.stringify({
    ruleNames: options.ruleSet.forbidden.map((rule) => rule.name),
    modules: result.modules.map((module) => module.source),
    violations: result.summary.violations.map((violation) => ({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
      ...(violation.cycle === undefined ? {} : { cycle: violation.cycle.map((step) => step.name ?? step) }),
    })),
  }),
);
