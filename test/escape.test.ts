import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { checkLeaks, type LeakError, OnZeroFailedError, track, type Snapshot } from '../lib/index.js';
import { childEnv, collectViolations } from './helpers.js';

// Anything a terminal or a log reader could act on, besides the line breaks between report lines.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// Signature lines are tab-separated on purpose; their fields are escaped, so their only tabs are separators.
const SEPARATORS = /^( *(?:\d+× )?signature: [0-9a-f]{8}\t.*)$/gm;
const outsideSignatures = (text: string): string => text.replace(SEPARATORS, (line) => line.replaceAll('\t', ' '));

test('a violation report escapes control characters in names and owners, and its data keeps them raw', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Conn\nreftrace: no live references' });
	const reader = root.acquire('reader\u001b]0;pwned\u0007');
	reader.release();
	reader.release();
	root.release();
	const error = seen[0]!;
	const lines = error.message.split('\n');
	expect(lines[0]).toBe('reftrace: double-release: ref #2 of Conn\\nreftrace: no live references#1 was released twice');
	expect(lines[1]).toMatch(/^ {2}released here \(ref #2 held by reader\\x1b\]0;pwned\\x07, /);
	expect(outsideSignatures(error.message)).not.toMatch(CONTROL);
	expect(lines.at(-1)).toMatch(/^ {2}signature: [0-9a-f]{8}\tdouble-release\tConn\\nreftrace: no live references\t/);
	expect(error.culprit.owner).toBe('reader\u001b]0;pwned\u0007');
	expect(error.object).toBe('Conn\nreftrace: no live references#1');
});

test('an onZero error is printed with its control characters escaped and its stack lines kept apart', () => {
	const seen = collectViolations();
	const root = track({}, {
		name: 'Sock',
		onZero: () => {
			throw new Error('closed\n\u001b[2Jreftrace: no live references');
		},
	});
	root.release();
	const error = seen[0] as OnZeroFailedError;
	const lines = error.message.split('\n');
	expect(lines[0]).toBe(`reftrace: on-zero-failed: onZero of ${error.object} threw Error: closed\\n\\x1b[2Jreftrace: no live references`);
	expect(lines).toContain('  \\x1b[2Jreftrace: no live references');
	expect(outsideSignatures(error.message)).not.toMatch(CONTROL);
});

test('the exit report escapes control characters in owners, file paths and source lines, and the JSON report keeps them', () => {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-escape-'));
	const app = join(dir, 'app\u001b[2J.mjs');
	const index = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
	writeFileSync(
		app,
		[`import { track } from ${JSON.stringify(index)};`, "globalThis.kept = track({}, { name: 'Conn', owner: 'pool\\r\\nSUMMARY: all clear' }); // \u202eevil", ''].join('\n'),
	);
	const report = join(dir, 'report.json');
	const result = spawnSync(process.execPath, ['--import', 'reftrace/register', app], {
		cwd: fileURLToPath(new URL('..', import.meta.url)),
		env: childEnv({ REFTRACE_REPORT: report }),
		encoding: 'utf8',
	});
	expect(result.status).toBe(0);
	const lines = result.stderr.trimEnd().split('\n');
	expect(lines[1]).toBe(
		`  Conn#1 has 1/1 refs at ${dir}/app\\x1b[2J.mjs:2:19 - globalThis.kept = track({}, { name: 'Conn', owner: 'pool\\r\\nSUMMARY: all clear' }); // \\u202eevil`,
	);
	expect(lines[2]).toMatch(/^ {4}owners: pool\\r\\nSUMMARY: all clear; oldest /);
	expect(outsideSignatures(result.stderr)).not.toMatch(CONTROL);
	const json = JSON.parse(readFileSync(report, 'utf8')) as Snapshot;
	expect(json.sites[0]?.owners[0]?.owner).toBe('pool\r\nSUMMARY: all clear');
	expect(json.sites[0]?.site).toBe(`${dir}/app\u001b[2J.mjs:2:19`);
});

test('a leak left by checkLeaks is reported with the control characters in its owners and names escaped', async () => {
	collectViolations();
	const root = track({}, { name: 'Scoped\u001b[2J' });
	let kept: { release(): void } | undefined;
	const error = await checkLeaks(() => {
		kept = root.acquire('owner\nreftrace: no live references');
	}).catch((caught: unknown) => caught as LeakError);
	kept?.release();
	root.release();
	const message = (error as LeakError).message;
	expect(message).toContain('owners: owner\\nreftrace: no live references;');
	expect(message).toContain('Scoped\\x1b[2J#');
	expect(outsideSignatures(message)).not.toMatch(CONTROL);
	expect((error as LeakError).leaks.sites[0]?.owners[0]?.owner).toBe('owner\nreftrace: no live references');
});
