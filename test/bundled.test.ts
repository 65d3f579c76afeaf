import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { childEnv, packageRoot, siteOf } from './helpers.js';

test('bundled into the application by esbuild, reftrace still names the application line', async () => {
	const out = join(mkdtempSync(join(tmpdir(), 'reftrace-bundle-')), 'app.mjs');
	await build({
		entryPoints: [join(packageRoot, 'test/fixtures/bundle-app.mjs')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		outfile: out,
		sourcemap: true,
		// Node built-ins required by CommonJS dependencies (source-map-support) inside an ES module bundle.
		banner: { js: "import { createRequire as reftraceRequire } from 'node:module'; const require = reftraceRequire(import.meta.url);" },
		logLevel: 'silent',
	});
	const result = spawnSync(process.execPath, [out], { cwd: packageRoot, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	const site = siteOf(new URL('./fixtures/bundle-app.mjs', import.meta.url).href, 'bundled-leak');
	expect(result.stderr).toContain('reftrace: leak report: 2 live refs to 1 object from 2 sites');
	expect(result.stderr).toMatch(new RegExp(`Conn#1 has 1/2 refs at ${site.replaceAll('.', '\\.')}:\\d+ - const session`));
	expect(result.stderr).not.toContain('no stack');
});
