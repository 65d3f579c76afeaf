import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkLeaks, configure, LeakError, type Mode, type Violation } from '../lib/index.js';
import { traceEmbind } from '../lib/embind.js';
import { allowLeaks } from '../lib/vitest.js';
import { lineOf, siteOf } from './helpers.js';

// canvaskit-wasm ships no types we rely on: the calls below are CanvasKit 0.42's documented API.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CanvasKit = any;
const require = createRequire(import.meta.url);
let CK: CanvasKit;
const warnings: string[] = [];
const onWarning = (warning: Error & { code?: string }): void => void warnings.push(`${warning.code}: ${warning.message}`);

beforeAll(async () => {
	process.on('warning', onWarning);
	const init = require('canvaskit-wasm') as () => Promise<CanvasKit>;
	// The documented setup: Surface.getCanvas hands out the surface's own canvas, which is never deleted.
	CK = traceEmbind(await init(), { borrowed: ['Surface.getCanvas'] });
});

afterAll(() => {
	process.off('warning', onWarning);
	configure({ mode: 'full', onViolation: 'report' });
});

/** One frame of a small app: a red triangle, with a Paint it forgets to delete. */
function drawFrame(surface: CanvasKit, path: CanvasKit): void {
	const canvas = surface.getCanvas();
	canvas.clear(CK.WHITE);
	const paint = new CK.Paint(); // @leaked-paint
	paint.setColor(CK.RED);
	canvas.drawPath(path, paint);
	surface.flush();
}

for (const mode of ['list', 'full'] as Mode[]) {
test(`CanvasKit in Node, ${mode} mode: 20 real frames, a Paint leaked per frame and a Path deleted twice, reported at the application lines`, async () => {
	// The 20 Paints are the leak under test; they stay leaked (embind handles are only freed by delete).
	allowLeaks();
	const seen: Violation[] = [];
	configure({ mode, onViolation: (error) => void seen.push(error) });
	let surface: CanvasKit;
	let thrown: unknown;
	const error = await checkLeaks(() => {
		surface = CK.MakeSurface(64, 64);
		const path = CK.Path.MakeFromSVGString('M 4 4 L 60 4 L 32 60 Z'); // @path-made
		for (let frame = 0; frame < 20; frame++) drawFrame(surface, path);
		const pixels = surface.makeImageSnapshot(); // @snapshot
		expect(pixels.width()).toBe(64);
		pixels.delete();
		path.delete(); // @path-delete
		try {
			path.delete(); // @path-delete-again
		} catch (bindingError) {
			thrown = bindingError;
		}
		surface.delete();
	}).catch((e: unknown) => e);

	// CanvasKit itself still throws at the second delete, as without reftrace.
	expect(String(thrown)).toBe('BindingError: Path instance already deleted');
	expect(seen.map((v) => v.kind)).toEqual(['double-release']);
	const [double] = seen as [Extract<Violation, { kind: 'double-release' }>];
	// The culprit's stack is captured in every mode; earlier events have stacks in full mode only.
	expect(lineOf(double.culprit.site)).toBe(siteOf(import.meta.url, 'path-delete-again'));
	const earlier = mode === 'full' ? [siteOf(import.meta.url, 'path-delete'), siteOf(import.meta.url, 'path-made')] : [null, null];
	expect(double.earlier.map((p) => lineOf(p.event.site))).toEqual(earlier);
	expect(double.object).toMatch(/^Path#\d+$/);

	expect(error).toBeInstanceOf(LeakError);
	const { leaks } = error as LeakError;
	// 20 Paints from one application line; the borrowed canvases are not leaks, and no site is reftrace's.
	expect(leaks.totals.refs).toBe(20);
	expect(leaks.sites.map((s) => lineOf(s.site))).toEqual([mode === 'full' ? siteOf(import.meta.url, 'leaked-paint') : null]);
	expect(leaks.sites[0]!.owners).toEqual([{ owner: mode === 'full' ? 'drawFrame' : '<no owner>', refs: 20 }]);
	expect(new Set(leaks.objects.map((o) => o.name))).toEqual(new Set(['Paint']));
});
}

test('a method called on a deleted handle, or a deleted handle passed to one, names the delete', () => {
	const seen: Violation[] = [];
	configure({ mode: 'full', onViolation: (error) => void seen.push(error) });
	const surface = CK.MakeSurface(8, 8);
	const paint = new CK.Paint();
	paint.delete(); // @paint-delete
	expect(() => paint.setColor(CK.BLUE)).toThrow(); // @use-deleted
	expect(() => surface.getCanvas().drawRect(CK.LTRBRect(0, 0, 4, 4), paint)).toThrow(); // @pass-deleted
	surface.delete();
	expect(seen.map((v) => v.kind)).toEqual(['use-after-release', 'use-after-release']);
	const [used, passed] = seen as Extract<Violation, { kind: 'use-after-release' }>[];
	expect(used!.summary).toMatch(/^Paint\.setColor\(\) was called on Paint#\d+ after its reference was deleted$/);
	expect(lineOf(used!.culprit.site)).toBe(siteOf(import.meta.url, 'use-deleted'));
	expect(lineOf(used!.earlier[0]!.event.site)).toBe(siteOf(import.meta.url, 'paint-delete'));
	expect(passed!.summary).toMatch(/^Paint#\d+ was passed to Canvas\.drawRect\(\) after its reference was deleted$/);
	expect(lineOf(passed!.culprit.site)).toBe(siteOf(import.meta.url, 'pass-deleted'));
});

test('clone is a new reference; deleteLater without a delay function warns once and leaves the handle live, owned by the queue', async () => {
	allowLeaks();
	configure({ mode: 'full', onViolation: 'report' });
	const error = await checkLeaks(() => {
		const paint = new CK.Paint();
		const copy = paint.clone(); // @clone
		paint.delete();
		copy.deleteLater(); // @delete-later
		new CK.Paint().deleteLater();
	}).catch((e: unknown) => e);
	const { leaks } = error as LeakError;
	expect(leaks.totals.refs).toBe(2);
	expect(leaks.sites.map((s) => lineOf(s.site)).sort()).toEqual([siteOf(import.meta.url, 'delete-later'), siteOf(import.meta.url, 'delete-later').replace(/\d+$/, (n) => String(Number(n) + 1))].sort());
	expect(leaks.objects.flatMap((o) => o.refs.map((r) => [r.owner, r.origin]))).toEqual([
		['embind deletion queue', 'move'],
		['embind deletion queue', 'move'],
	]);
	await new Promise((resolve) => setImmediate(resolve));
	expect(warnings.filter((w) => w.startsWith('REFTRACE_EMBIND_NO_DELAY'))).toHaveLength(1);
});

test('without `borrowed`, every canvas Surface.getCanvas hands out would be blamed as a leak', async () => {
	allowLeaks();
	configure({ mode: 'full', onViolation: 'report' });
	const init = require('canvaskit-wasm') as () => Promise<CanvasKit>;
	const bare = traceEmbind(await init());
	const error = await checkLeaks(() => {
		const surface = bare.MakeSurface(8, 8);
		for (let i = 0; i < 3; i++) surface.getCanvas().clear(bare.WHITE); // @borrowed-canvas
		surface.delete();
	}).catch((e: unknown) => e);
	const { leaks } = error as LeakError;
	expect(leaks.totals.refs).toBe(3);
	expect(leaks.sites.map((s) => lineOf(s.site))).toEqual([siteOf(import.meta.url, 'borrowed-canvas')]);
	expect(leaks.objects.every((o) => o.name === 'Canvas')).toBe(true);
});

test('traceEmbind refuses what is not an embind module, and a module traced twice', () => {
	expect(() => traceEmbind({ Paint: class {} })).toThrow('Expected `Module` to be an embind module with classes; found no ClassHandle');
	expect(() => traceEmbind(CK)).toThrow('Expected `Module` to be an embind module not traced yet; it already is');
	expect(() => traceEmbind(null as never)).toThrow('Expected `Module` to be an object, got null');
});
