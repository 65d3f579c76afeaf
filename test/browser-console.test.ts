import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { siteFrames, styled, writeConsoleReport } from '../lib/platform/browser-console.js';
import { environmentFromUrl } from '../lib/platform/browser.js';
import { packageRoot } from './helpers.js';

const RED_BOLD = '\u001B[31m\u001B[1mreftrace: double-release:\u001B[22m\u001B[39m';

test('ANSI styles become %c CSS, text goes in as %s arguments (a % in it is never a directive), no escape code is left', () => {
	expect(styled(`${RED_BOLD} ref #1 of Conn%s#1`)).toEqual(['%c%s%c%s', 'font-weight:bold;color:#d93025', 'reftrace: double-release:', '', ' ref #1 of Conn%s#1']);
	expect(styled('\u001B[2m  at f (http://h/a.js:1:2)\u001B[22m')).toEqual(['%c%s', 'opacity:0.65', '  at f (http://h/a.js:1:2)']);
	expect(styled('plain')).toEqual(['%c%s', '', 'plain']);
});

test('a report is one collapsed group titled by its first line, with one linked stack per section that names sites', () => {
	const calls: [string, unknown[]][] = [];
	const out = {
		log: (...args: unknown[]) => void calls.push(['log', args]),
		groupCollapsed: (...args: unknown[]) => void calls.push(['groupCollapsed', args]),
		groupEnd: () => void calls.push(['groupEnd', []]),
	};
	const text = [
		`${RED_BOLD} ref #1 of Conn#1 was released twice`,
		'  disposed here (ref #1)',
		'    http://h/app.js:30:5',
		'      at resize (http://h/app.js:30:5)',
		'      at http://h/app.js:50:1',
		'  first released (ref #1)',
		'    http://h/app.js:28:7',
		'      at resize (http://h/app.js:28:7)',
		'  signature: 55013370',
		'',
	].join('\n');
	writeConsoleReport(out, text);
	expect(calls.map(([kind]) => kind)).toEqual(['groupCollapsed', 'log', 'log', 'log', 'groupEnd']);
	const stacks = calls.slice(2, 4).map(([, args]) => (args[0] as Error).stack);
	expect(stacks).toEqual([
		'reftrace: disposed here (ref #1)\n    at resize (http://h/app.js:30:5)\n    at http://h/app.js:50:1',
		'reftrace: first released (ref #1)\n    at resize (http://h/app.js:28:7)',
	]);
	// A one-line report is a plain line, not a group.
	calls.length = 0;
	writeConsoleReport(out, 'reftrace: no live references\n');
	expect(calls).toEqual([['log', ['%c%s', '', 'reftrace: no live references']]]);
});

test('site frames: each position once, named where a line names its function', () => {
	expect(siteFrames('  X has 1/1 refs at http://h/a.js:3:4\n      at draw (http://h/a.js:3:4)\n      at http://h/a.js:9:1')).toEqual(['    at draw (http://h/a.js:3:4)', '    at http://h/a.js:9:1']);
});

test('?reftrace=full on the page URL sets the mode, as REFTRACE does under Node; other parameters are ignored', () => {
	expect(environmentFromUrl('?reftrace=full&page=2')).toEqual({ REFTRACE: 'full' });
	expect(environmentFromUrl('?page=2')).toEqual({});
	// A bad value goes through, so that settings() warns about it as about a bad REFTRACE.
	expect(environmentFromUrl('?reftrace=loud')).toEqual({ REFTRACE: 'loud' });
});

test("reftrace's own source maps are marked for DevTools' ignore list", () => {
	const maps = readdirSync(join(packageRoot, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js.map'));
	expect(maps.length).toBeGreaterThan(40);
	for (const file of maps) {
		const map = JSON.parse(readFileSync(join(packageRoot, 'dist', file), 'utf8')) as { sources: string[]; x_google_ignoreList?: number[]; ignoreList?: number[] };
		expect(map.x_google_ignoreList, file).toEqual(map.sources.map((_, i) => i));
		expect(map.ignoreList, file).toEqual(map.x_google_ignoreList);
	}
});

test('the browser entry bundles for the browser with no Node import, and its weight is measured', async () => {
	const result = await build({
		stdin: { contents: "export * from 'reftrace';", resolveDir: packageRoot },
		bundle: true,
		platform: 'browser',
		format: 'esm',
		minify: true,
		write: false,
		metafile: true,
		logLevel: 'silent',
	});
	expect(result.errors).toEqual([]);
	const inputs = Object.keys(result.metafile.inputs);
	expect(inputs).toContain('dist/browser.js');
	expect(inputs.filter((file) => /platform\/node|platform\/runtime|source-map-support/.test(file))).toEqual([]);
	const code = result.outputFiles[0]!.contents;
	const gzipped = gzipSync(code).length;
	console.log(`browser entry: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
	// A budget, so that growth is noticed: the README states the measured figure.
	expect(gzipped).toBeLessThan(30 * 1024);
});

test("reftrace/embind resolves to the browser entry under the browser condition, with traceEmbind", async () => {
	const result = await build({
		stdin: { contents: "export { traceEmbind } from 'reftrace/embind';", resolveDir: packageRoot },
		bundle: true,
		platform: 'browser',
		format: 'esm',
		write: false,
		metafile: true,
		logLevel: 'silent',
	});
	const inputs = Object.keys(result.metafile.inputs);
	expect(inputs).toContain('dist/browser.js');
	expect(inputs).not.toContain('dist/embind.js');
	expect(inputs).toContain('dist/embind-adapter.js');
});
