import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, instrument, LeakError, renderSnapshot, snapshot } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

/** An existing class counted by its own methods, as a TypeScript codebase has them. */
class RawTexture {
	refs = 1;
	retain(): this {
		this.refs++;
		return this;
	}
	release(): void {
		this.refs--;
	}
	draw(): number {
		return this.refs;
	}
}
const Texture = instrument(RawTexture, { shape: 'counted', retain: ['retain'], release: ['release'], methods: ['draw'] });
type Texture = InstanceType<typeof Texture>;

const cache: Texture[] = [];
function remember(texture: Texture): void {
	cache.push(texture.retain()); // @forgot-release
}
function drawOnce(texture: Texture): void {
	texture.retain(); // @balanced-retain
	texture.draw();
	texture.release(); // @balanced-release
}
function render(texture: Texture): void {
	drawOnce(texture);
	remember(texture); // @remember-call
	drawOnce(texture);
}

test('a counted object left retained shows a balance tree with only the path that retained without releasing', async () => {
	let texture: Texture | undefined;
	const error = await checkLeaks(() => { // @check-start
		texture = new Texture(); // @texture-new
		render(texture); // @render-call
		texture.release(); // @creator-release
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	const { leaks, message } = error as LeakError;
	expect(texture!.refs).toBe(1);
	expect(leaks.objects).toHaveLength(1);
	const [object] = leaks.objects;
	expect(object!.count).toBe(1);
	expect(lineOf(object!.refs[0]!.site)).toBe(siteOf(import.meta.url, 'texture-new'));
	const balance = object!.balance!;
	// Merged root-first by function: drawOnce's retain and release cancel inside it and are pruned; the
	// arrow given to checkLeaks made three unbalanced calls (new, render, the creator's release), and
	// under render only remember's retain is left.
	const at = (marker: string) => siteOf(import.meta.url, marker);
	const line = (marker: string) => at(marker).split(':').at(-1);
	expect(balance.slice(1).map((text) => text.replace(/:\d+\)?$/, '').replace('(', ''))).toEqual([
		`+1 ${at('check-start')}`,
		`  +1 ${at('texture-new')}, ${line('render-call')}, ${line('creator-release')}`,
		`    +1 ${at('texture-new')}`,
		`    +1 render ${at('remember-call')}`,
		`      +1 remember ${at('forgot-release')}`,
		`    -1 ${at('creator-release')}`,
	]);
	expect(balance.join('\n')).not.toContain('drawOnce');
	expect(message).toContain('balance of RawTexture#');
	expect(renderSnapshot(snapshot())).toContain(`+1 remember (${at("forgot-release")}:`);
	cache.pop()!.release();
	expect(snapshot().objects.filter((o) => o.name === 'RawTexture')).toEqual([]);
});

test('a release at count 0 is reported at the call, naming the release that brought it to 0, and still runs', () => {
	const seen = collectViolations();
	const texture = new Texture();
	texture.retain();
	texture.release();
	texture.release(); // @to-zero
	texture.release(); // @underflow
	expect(texture.refs).toBe(-1);
	texture.draw(); // @draw-after
	expect(seen.map((e) => e.kind)).toEqual(['double-release', 'use-after-release']);
	const [underflow, used] = seen;
	expect(underflow!.summary).toMatch(/^RawTexture#\d+ was released at count 0: more releases than retains/);
	expect(lineOf(underflow!.culprit.site)).toBe(siteOf(import.meta.url, 'underflow'));
	expect(lineOf(underflow!.earlier[0]!.event.site)).toBe(siteOf(import.meta.url, 'to-zero'));
	expect(lineOf(used!.culprit.site)).toBe(siteOf(import.meta.url, 'draw-after'));
});

test('in list mode a counted object keeps its count and no tree', async () => {
	configure({ mode: 'list' });
	let texture: Texture | undefined;
	const error = await checkLeaks(() => {
		texture = new Texture();
		texture.retain();
		texture.retain();
		texture.release();
	}).catch((e: unknown) => e);
	const [object] = (error as LeakError).leaks.objects;
	expect(object!.count).toBe(2);
	expect(object!.balance).toBeUndefined();
	texture!.release();
	texture!.release();
});
