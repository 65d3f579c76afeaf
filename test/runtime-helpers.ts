import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, packageRoot } from './helpers.js';

/*
 * The other runtimes, run for real: Deno and Bun come from npm as devDependencies (`deno`, `bun`), their
 * binaries inside the packages. Where a binary cannot run on this platform, the tests that need it are
 * skipped with the reason.
 */

/** A runtime binary from node_modules/.bin: its path, or why it cannot be used here. */
export function binary(name: 'deno' | 'bun'): { readonly path: string; readonly missing: null } | { readonly path: null; readonly missing: string } {
	const path = join(packageRoot, 'node_modules', '.bin', name);
	if (!existsSync(path)) return { path: null, missing: `${name} is not installed (npm did not install its binary for ${process.platform}-${process.arch})` };
	const probe = spawnSync(path, ['--version'], { encoding: 'utf8' });
	if (probe.status !== 0) return { path: null, missing: `${name} cannot run on ${process.platform}-${process.arch}: ${probe.error?.message ?? probe.stderr.trim()}` };
	return { path, missing: null };
}

/** Runs `command args` in `cwd` with `childEnv(extra)`. */
export function run(command: string, args: readonly string[], cwd: string, extra: Record<string, string> = {}): SpawnSyncReturns<string> {
	return spawnSync(command, args, { cwd, env: childEnv(extra), encoding: 'utf8', timeout: 120_000 });
}

/**
 * A scratch project as a user has one: the fixture folder's files copied in, a package.json, and reftrace
 * in node_modules (a link to this package, so `reftrace` and its subpaths resolve through its exports map).
 * @returns the project's folder.
 */
export function userProject(fixture: string, packageJson: object = { type: 'module' }): string {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-project-'));
	cpSync(join(packageRoot, 'test', 'fixtures', fixture), dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'scratch', private: true, ...packageJson })}\n`);
	mkdirSync(join(dir, 'node_modules'));
	symlinkSync(packageRoot, join(dir, 'node_modules', 'reftrace'));
	return dir;
}

/** A report with what differs between runs taken out: pids, and the times and ages it prints. */
export function normalize(text: string): string {
	return text
		.replace(/pid \d+/g, 'pid <pid>')
		.replace(/\(node:\d+\)/g, '(node:<pid>)')
		.replace(/\d+(?:\.\d+)? (?:µs|ms|s|min|h)\b/g, '<time>');
}
