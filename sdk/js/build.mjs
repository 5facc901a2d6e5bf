// Builds a JavaScript plugin into a component: what `tollgate plugin build` runs (with
// `node`) for a plugin whose language is `js`. Its one argument is a JSON file:
//
//   { "nodeModules": the toolchain's node_modules (componentize-js, rolldown),
//     "entry": the plugin's entry module, "sdk": tollgate-sdk.js as the build laid it out,
//     "wit": the WIT package directory, "world": function | mapper | authorizer,
//     "bundle": where the bundled module goes, "output": where the component goes,
//     "disableFeatures": componentize-js features to leave out }
//
// Two steps. rolldown bundles the entry with everything it imports into one module, with
// `tollgate-sdk` resolving to the SDK laid out for this world and the `tollgate:plugin/*`
// interfaces left as imports: StarlingMonkey resolves bare specifiers as paths relative to
// the importing file, so without a bundle neither the SDK nor npm packages could be found.
// componentize-js then turns the bundle into a component through its JavaScript API (its
// CLI swallows errors) and pre-initialises it with Wizer.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The interface each world exports, under the name componentize-js looks for.
const EXPORTS = {
  function: ['handler', 'defineFunction'],
  mapper: ['mapping', 'defineMapper'],
  authorizer: ['authorization', 'defineAuthorizer'],
};

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function build(config) {
  const load = (path) => import(pathToFileURL(join(config.nodeModules, path)).href);
  const [exportName, helper] = EXPORTS[config.world] ?? fail(`unknown world ${config.world}`);

  const { rolldown } = await load('rolldown/dist/index.mjs');
  const warnings = [];
  const unresolved = [];
  const bundle = await rolldown({
    input: config.entry,
    external: [/^tollgate:plugin\//],
    resolve: {
      alias: { 'tollgate-sdk': config.sdk },
      // npm packages of the plugin: ES modules first, else their `main`.
      mainFields: ['module', 'main'],
    },
    // Neither Node.js nor a browser: the component has no Node built-ins.
    platform: 'neutral',
    onLog(level, log) {
      // rolldown keeps an import it cannot resolve as external; in a component nothing
      // could provide it, so it is an error here rather than at Wizer time.
      if (log.code === 'UNRESOLVED_IMPORT') {
        unresolved.push(log.message);
      } else if (level === 'warn') {
        warnings.push(log.message);
      }
    },
  });
  const { output } = await bundle.write({ file: config.bundle, format: 'esm' });
  await bundle.close();
  if (unresolved.length > 0) {
    fail(
      'an import cannot be resolved (a plugin can import its own modules, its npm packages ' +
        `and tollgate-sdk):\n${unresolved.join('\n')}`,
    );
  }
  const chunk = output.find((item) => item.type === 'chunk' && item.isEntry);
  if (!chunk.exports.includes(exportName)) {
    fail(
      `${config.entry} does not export \`${exportName}\`, the interface of the ${config.world} world:\n` +
        `  export const ${exportName} = ${helper}(...);  // from 'tollgate-sdk'` +
        (warnings.length ? `\n${warnings.join('\n')}` : ''),
    );
  }
  for (const warning of warnings) {
    process.stderr.write(`warning: ${warning}\n`);
  }

  // componentize-js 0.23's generated bindings decode every WIT string with
  // `new TextDecoder()`, which drops a leading U+FEFF: a token "\uFEFFx" would reach the
  // plugin as "x", unlike in any other language. The bindings are JavaScript text made by the
  // splicer; its decoder is made to keep the BOM before componentize-js uses them. The
  // splicer module is the one componentize-js imports (same URL), so this reaches it.
  const { splicer } = await load(
    '@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.js',
  );
  const spliceBindings = splicer.spliceBindings;
  splicer.spliceBindings = (...args) => {
    const spliced = spliceBindings(...args);
    const decoder = 'const TEXT_DECODER_UTF8 = new TextDecoder();';
    if (!spliced.jsBindings.includes(decoder)) {
      throw new Error(`componentize-js bindings without \`${decoder}\`: update build.mjs`);
    }
    spliced.jsBindings = spliced.jsBindings.replace(
      decoder,
      "const TEXT_DECODER_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });",
    );
    return spliced;
  };

  const { componentize } = await load('@bytecodealliance/componentize-js/src/componentize.js');
  const { component } = await componentize({
    sourcePath: config.bundle,
    witPath: config.wit,
    worldName: config.world,
    disableFeatures: config.disableFeatures,
  });
  await writeFile(config.output, component);
}

// A failure prints its message alone: the caller shows it as the tool's output.
build(JSON.parse(await readFile(process.argv[2], 'utf8'))).catch((error) => {
  let message = error instanceof Error ? error.message : String(error);
  if (message.includes('during Wizer initialization')) {
    message +=
      '\nThe module\'s top level runs at build time, where there is no host: call log, kv, ' +
      'stage and config only inside handlers.';
  }
  fail(message);
});
