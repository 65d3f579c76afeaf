import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { childEnv } from './helpers.js';

// Packs reftrace, installs the tarball into a scratch project as a user would, and uses it from there.
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'reftrace-package-'));
let files: string[] = [];

function npm(args: string[], cwd: string): string {
	return execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
}

function node(args: string[]) {
	return spawnSync(process.execPath, args, { cwd: scratch, env: childEnv(), encoding: 'utf8' });
}

beforeAll(() => {
	const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], root)) as [{ filename: string; files: { path: string }[] }];
	files = packed.files.map((f) => f.path);
	writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
	npm(['install', '--no-audit', '--no-fund', join(scratch, packed.filename)], scratch);
}, 180_000);

test('the tarball holds the built library, its sources and nothing of the repository besides', () => {
	expect(files).toContain('dist/index.js');
	expect(files).toContain('dist/index.d.ts');
	expect(files).toContain('dist/register.js');
	expect(files).toContain('dist/vitest.d.ts');
	expect(files).toContain('dist/ref.js.map');
	expect(files).toContain('lib/ref.ts');
	expect(files.filter((f) => !f.startsWith('dist/') && !/^lib\/.*\.c?ts$/.test(f)).sort()).toEqual(['README.md', 'package.json']);
});

/** Every file path an exports map names, through its nested conditions. */
function exportTargets(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	return value !== null && typeof value === 'object' ? Object.values(value).flatMap(exportTargets) : [];
}

test('the tarball holds every file the exports map, main, types and bin name, the CommonJS build with its package.json among them', () => {
	const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: unknown; main: string; types: string; bin: Record<string, string> };
	const named = [...exportTargets(manifest.exports), manifest.main, manifest.types, ...Object.values(manifest.bin)].map((path) => path.replace(/^\.\//, ''));
	expect(named).toContain('dist/cjs/index.js');
	expect(named).toContain('dist/cjs/jest.d.ts');
	expect(named.filter((path) => !files.includes(path))).toEqual([]);
	expect(files).toContain('dist/cjs/package.json');
});

test('every source a shipped source map names is installed with the package', () => {
	const dist = join(scratch, 'node_modules', 'reftrace', 'dist');
	const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
	expect(maps).toContain('ref.js.map');
	const missing = maps.flatMap((map) => {
		const { sources, sourcesContent } = JSON.parse(readFileSync(join(dist, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
		return sources.filter((source, i) => typeof sourcesContent?.[i] !== 'string' && !existsSync(resolve(dirname(join(dist, map)), source))).map((source) => `${map}: ${source}`);
	});
	expect(missing).toEqual([]);
});

test('a JavaScript app uses the installed package, with the preload', () => {
	writeFileSync(
		join(scratch, 'app.mjs'),
		[
			"import { track, snapshot } from 'reftrace';",
			"const root = track({ fd: 1 }, { name: 'File' });",
			"const reader = root.acquire('reader');",
			'reader.release();',
			'reader.release();',
			"console.log('live', snapshot().totals.refs);",
			'',
		].join('\n'),
	);
	const result = node(['--import', 'reftrace/register', 'app.mjs']);
	expect(result.status).toBe(0);
	expect(result.stdout).toBe('live 1\n');
	expect(result.stderr).toMatch(/^reftrace: double-release: ref #2 of File#1 was released twice\n  released here \(ref #2 held by reader, .*\n    app\.mjs:5:8 - reader\.release\(\);\n/);
	expect(result.stderr).toContain('    app.mjs:4:8 - reader.release();');
	expect(result.stderr).toContain('    app.mjs:3:21 - const reader = root.acquire(\'reader\');');
	expect(result.stderr).toMatch(/SUMMARY: reftrace: 1 live reference to 1 object from 1 site; 1 violation\n$/);
});

test('a strict TypeScript app type-checks against the installed types and reports its .ts lines', () => {
	mkdirSync(join(scratch, 'src'), { recursive: true });
	writeFileSync(
		join(scratch, 'src', 'main.ts'),
		[
			"import { checkLeaks, configure, DoubleReleaseError, track, type Ref, type RefTraceError, type Snapshot } from 'reftrace';",
			"import 'reftrace/register';",
			'',
			'class Conn { readonly port = 5432; }',
			'const errors: RefTraceError[] = [];',
			'configure({ onViolation: (error) => void errors.push(error) });',
			"const root: Ref<Conn> = track(new Conn(), { onZero: (conn: Conn) => console.log('closed', conn.port) });",
			"const extra = root.acquire('extra');",
			'extra.release();',
			'extra.release();',
			'const error = errors[0];',
			'if (error instanceof DoubleReleaseError) console.log(error.kind, error.firstRelease?.site, error.acquire?.owner);',
			"const leaked: Snapshot = await checkLeaks(() => root.acquire('kept')).then(() => { throw new Error('no leak seen'); }, (e: { leaks: Snapshot }) => e.leaks);",
			'console.log(leaked.totals.refs);',
			'root.release();',
			'',
		].join('\n'),
	);
	writeFileSync(
		join(scratch, 'tsconfig.json'),
		JSON.stringify({
			compilerOptions: {
				target: 'ES2022',
				module: 'NodeNext',
				moduleResolution: 'NodeNext',
				strict: true,
				exactOptionalPropertyTypes: true,
				noUncheckedIndexedAccess: true,
				sourceMap: true,
				outDir: 'out',
				typeRoots: [join(root, 'node_modules', '@types')],
				types: ['node'],
			},
			include: ['src'],
		}),
	);
	execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratch], { encoding: 'utf8' });
	const result = node(['out/main.js']);
	expect(result.stdout).toBe('double-release src/main.ts:9:7 extra\n1\n');
	expect(result.stderr).toMatch(/^reftrace: leak report: 1 live ref to 1 object from 1 site\n  Conn#1 has 1\/1 refs at src\/main\.ts:13:\d+ - /);
	expect(result.stderr).toMatch(/SUMMARY: reftrace: 1 live reference to 1 object from 1 site; 1 violation\n$/);
});

test('a CommonJS TypeScript app (module node16) type-checks against the CommonJS types and runs on the one ES copy', () => {
	mkdirSync(join(scratch, 'cjs'), { recursive: true });
	writeFileSync(
		join(scratch, 'cjs', 'main.cts'),
		[
			"import { snapshot, track, type Ref } from 'reftrace';",
			"import type { allowLeaks } from 'reftrace/jest';",
			'',
			'const allow: typeof allowLeaks = () => undefined;',
			"const root: Ref<{ fd: number }> = track({ fd: 1 }, { name: 'File' });",
			"root.acquire('kept');",
			"console.log(require.resolve('reftrace').replace(/.*node_modules/, ''), snapshot().totals.refs, typeof allow);",
			'',
		].join('\n'),
	);
	writeFileSync(
		join(scratch, 'tsconfig.cjs.json'),
		JSON.stringify({
			compilerOptions: { target: 'ES2022', module: 'Node16', moduleResolution: 'Node16', strict: true, outDir: 'out-cjs', typeRoots: [join(root, 'node_modules', '@types')], types: ['node'] },
			include: ['cjs'],
		}),
	);
	execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(scratch, 'tsconfig.cjs.json')], { encoding: 'utf8' });
	const result = node(['out-cjs/main.cjs']);
	expect(result.stdout).toBe('/reftrace/dist/index.js 2 function\n');
});
