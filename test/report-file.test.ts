import { spawnSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { childEnv, packageRoot, secondCopy } from './helpers.js';

// Items 7 and 8 of issue 8: REFTRACE_REPORT writes through links, FIFOs and devices, leaves no temporary
// behind, and gives every writer in a process its own file.
function run(app: string, reportPath: string, args: readonly string[] = []) {
	return spawnSync(process.execPath, [app, ...args], { cwd: packageRoot, env: childEnv({ REFTRACE_REPORT: reportPath, REFTRACE_EXIT_REPORT: '0' }), encoding: 'utf8' });
}

const exitApp = 'test/fixtures/exit-app.mjs';
const scratch = () => mkdtempSync(join(tmpdir(), 'reftrace-file-'));
const owners = (json: string) => JSON.parse(json).objects.flatMap((o: { refs: { owner: string }[] }) => o.refs.map((r) => r.owner));

test('a report path that is a symlink stays a symlink; the file it names gets the report', () => {
	const dir = scratch();
	mkdirSync(join(dir, 'runs'));
	symlinkSync('runs/latest.json', join(dir, 'report.json'));
	expect(run(exitApp, join(dir, 'report.json'), ['normal']).stderr).toBe('');
	expect(lstatSync(join(dir, 'report.json')).isSymbolicLink()).toBe(true);
	expect(readlinkSync(join(dir, 'report.json'))).toBe('runs/latest.json');
	expect(JSON.parse(readFileSync(join(dir, 'runs', 'latest.json'), 'utf8')).totals.refs).toBe(2);
	expect(readdirSync(dir).sort()).toEqual(['report.json', 'runs']);
	expect(readdirSync(join(dir, 'runs'))).toEqual(['latest.json']);
});

test('a report path that is a FIFO read by another process stays a FIFO and its reader gets the whole report', () => {
	const fifo = join(scratch(), 'report.fifo');
	expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
	// The reader (this process) holds the FIFO open before the run, as a log collector would.
	const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
	try {
		const result = run(exitApp, fifo, ['normal']);
		expect(result.stderr).toBe('');
		const buffer = Buffer.alloc(1 << 16);
		const received = buffer.toString('utf8', 0, readSync(reader, buffer));
		expect(JSON.parse(received).totals.refs).toBe(2);
		expect(lstatSync(fifo).isFIFO()).toBe(true);
	} finally {
		closeSync(reader);
	}
});

// /proc/self/fd/1 is where /dev/stdout leads; the test names it directly, so that running it against a
// reftrace that renames over its target cannot replace the machine's /dev/stdout.
test('a report path that leads to the process\'s own stdout (/dev/stdout) writes the report there', () => {
	const result = run(exitApp, '/proc/self/fd/1', ['normal']);
	expect(result.stderr).toBe('');
	expect(JSON.parse(result.stdout).totals.refs).toBe(2);
});

test('a report that cannot be written prints one line and leaves no temporary file', () => {
	const dir = scratch();
	mkdirSync(join(dir, 'report.json'));
	const result = run(exitApp, join(dir, 'report.json'), ['normal']);
	expect(result.stderr).toMatch(/^reftrace: could not write the JSON report: Error: EISDIR: illegal operation on a directory, [^\n]*\n$/);
	expect(readdirSync(dir)).toEqual(['report.json']);
	expect(readdirSync(join(dir, 'report.json'))).toEqual([]);
});

test('a worker thread writes its own report beside the main thread\'s, marked with its thread id', () => {
	const dir = scratch();
	const result = run('test/fixtures/worker-app.mjs', join(dir, 'refs-%p.json'));
	expect(result.status).toBe(0);
	expect(readdirSync(dir).sort()).toEqual([`refs-${result.pid}.json`, `refs-${result.pid}.t1.json`]);
	expect(owners(readFileSync(join(dir, `refs-${result.pid}.json`), 'utf8'))).toEqual(['main']);
	expect(owners(readFileSync(join(dir, `refs-${result.pid}.t1.json`), 'utf8'))).toEqual(['worker']);
});

test('%t in the report path becomes the thread id', () => {
	const dir = scratch();
	const result = run('test/fixtures/worker-app.mjs', join(dir, 'refs-%p-%t.json'));
	expect(readdirSync(dir).sort()).toEqual([`refs-${result.pid}-0.json`, `refs-${result.pid}-1.json`]);
});

test('a second copy of reftrace in the same thread writes its own report, marked .2', () => {
	const dir = scratch();
	const result = run('test/fixtures/two-copies-app.mjs', join(dir, 'refs-%p.json'), [join(secondCopy(), 'dist', 'index.js')]);
	expect(result.status).toBe(0);
	expect(readdirSync(dir).sort()).toEqual([`refs-${result.pid}.2.json`, `refs-${result.pid}.json`]);
	expect(owners(readFileSync(join(dir, `refs-${result.pid}.json`), 'utf8'))).toEqual(['first']);
	expect(owners(readFileSync(join(dir, `refs-${result.pid}.2.json`), 'utf8'))).toEqual(['second']);
});
