import { afterEach, expect, test, vi } from 'vitest';
import { checkLeaks, configure, instrument, LeakError, renderSnapshot, snapshot, track, type InstrumentOptions, type RevokedWhen, type SnapshotObject } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { withoutRefs } from '../lib/report/chain.js';
import { diffSnapshots } from '../lib/report/diff.js';
import { lossWatcher } from '../lib/revoke-adopted.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

// Device loss as a revoke (instrument's `revokedWhen`), on stand-ins for GPUDevice and GPUBuffer that behave
// as WebGPU's do: `lost` resolves with a GPUDeviceLostInfo, `destroy()` resolves it with reason 'destroyed',
// and a lost device still makes (invalid) buffers. test/webgpu-browser.test.ts runs the same in real WebGPU.

const site = (marker: string) => siteOf(import.meta.url, marker);

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

interface LostInfo {
	readonly reason: 'destroyed' | 'unknown';
	readonly message: string;
}
class GPUBuffer {
	destroys = 0;
	getMappedRange(): ArrayBuffer {
		return new ArrayBuffer(4);
	}
	destroy(): void {
		this.destroys++;
	}
}
class GPUDevice {
	readonly lost: Promise<LostInfo>;
	#lose!: (info: LostInfo) => void;
	constructor() {
		this.lost = new Promise((resolve) => (this.#lose = resolve));
	}
	createBuffer(_descriptor: { size: number }): GPUBuffer {
		return new GPUBuffer();
	}
	destroy(): void {
		this.#lose({ reason: 'destroyed', message: 'Device was destroyed.' });
	}
	/** What a driver reset does. */
	crash(): void {
		this.#lose({ reason: 'unknown', message: 'GPU process crashed' });
	}
}

// The recipe's lines.
instrument(GPUBuffer, {
	shape: 'disposable',
	release: ['destroy'],
	methods: ['getMappedRange'],
	createdBy: [[GPUDevice.prototype, 'createBuffer']],
	revokedWhen: (device: GPUDevice) => device.lost.then((info) => `device lost (${info.reason}): ${info.message}`),
});

/** The snapshot's object whose reference was taken on the line marked `marker`. */
function objectAt(marker: string): SnapshotObject | undefined {
	return snapshot().objects.find((o) => o.refs.some((r) => lineOf(r.site) === site(marker)));
}

/** Lets the `lost` reactions run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a device's loss revokes exactly the buffers it made and that are not destroyed, naming the loss", async () => {
	const seen = collectViolations();
	const a = new GPUDevice();
	const b = new GPUDevice();
	const kept = a.createBuffer({ size: 4 }); // @kept-a
	const done = a.createBuffer({ size: 4 });
	done.destroy();
	const other = b.createBuffer({ size: 4 }); // @other-b
	a.destroy();
	await settle();
	const lost = objectAt('kept-a');
	expect(lost?.revoked).toMatchObject({ reason: 'device lost (destroyed): Device was destroyed.', lost: true, site: null, liveAtRevoke: 1, stillHeld: [lost!.refs[0]!.ref] });
	expect(objectAt('other-b')?.revoked).toBeNull();
	// Not a leak: in no site and not in the totals; listed under its revoke.
	expect(snapshot().sites.map((s) => lineOf(s.site))).toEqual([site('other-b')]);
	expect(snapshot().totals).toMatchObject({ refs: 1, objects: 1 });
	const line = renderSnapshot(snapshot()).split('\n').find((l) => l.includes(lost!.object));
	expect(line).toBe(
		`  ${lost!.object} revoked by its creator's loss for 'device lost (destroyed): Device was destroyed.'; 1 reference not given back, none needed: ref #${lost!.refs[0]!.ref} held by ${lost!.refs[0]!.owner}`,
	);
	kept.destroy();
	other.destroy();
	expect(seen).toEqual([]);
});

test('a destroy after the loss is a release; a second one is a double release; calls are quiet until the destroy', async () => {
	const seen = collectViolations();
	const device = new GPUDevice();
	const buffer = device.createBuffer({ size: 4 }); // @crashed
	device.crash();
	await settle();
	expect(objectAt('crashed')?.revoked?.lost).toBe(true);
	buffer.getMappedRange();
	expect(seen).toEqual([]);
	buffer.destroy();
	expect(seen).toEqual([]);
	expect(objectAt('crashed')).toBeUndefined();
	buffer.destroy(); // @second-destroy
	buffer.getMappedRange(); // @late-call
	expect(seen.map((e) => [e.kind, lineOf(e.culprit.site)])).toEqual([
		['double-release', site('second-destroy')],
		['use-after-release', site('late-call')],
	]);
	expect(buffer.destroys).toBe(2);
});

test('with only lost buffers left, the exit report says there is no leak and lists them under the loss', async () => {
	collectViolations();
	const device = new GPUDevice();
	const buffer = device.createBuffer({ size: 4 }); // @exit-kept
	device.crash();
	await settle();
	const text = renderSnapshot(snapshot());
	const label = objectAt('exit-kept')!.object;
	expect(text.split('\n').slice(0, 2)).toEqual([
		expect.stringMatching(/^reftrace: no live references \(1 reference of objects revoked by their creator's loss, not leaks, below\)(;|$)/),
		`  ${label} revoked by its creator's loss for 'device lost (unknown): GPU process crashed'; 1 reference not given back, none needed: ${text.match(/ref #\d+ held by \S+/)![0]}`,
	]);
	buffer.destroy();
	expect(renderSnapshot(snapshot()).split('\n')[0]).toMatch(/^reftrace: no live references(;|$)/);
});

test('checkLeaks passes over a lost buffer; a buffer of a device that is not lost is still its leak', async () => {
	const device = new GPUDevice();
	const alive = new GPUDevice();
	let lostBuffer: GPUBuffer | undefined;
	let liveBuffer: GPUBuffer | undefined;
	const error = await checkLeaks(async () => {
		lostBuffer = device.createBuffer({ size: 4 });
		liveBuffer = alive.createBuffer({ size: 4 }); // @scope-live
		device.destroy();
		await device.lost;
		await settle();
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.sites.map((s) => lineOf(s.site))).toEqual([site('scope-live')]);
	lostBuffer!.destroy();
	liveBuffer!.destroy();
});

test('a buffer made by a device already lost is revoked at once, at the createBuffer call', async () => {
	const seen = collectViolations();
	const device = new GPUDevice();
	device.destroy();
	await settle();
	// A device that is not lost yet when its first buffer is made: its loss then comes in a later task.
	const late = device.createBuffer({ size: 4 }); // @first-after-loss
	await settle();
	const again = device.createBuffer({ size: 4 }); // @after-loss
	expect(lineOf(objectAt('first-after-loss')?.revoked?.site)).toBeNull();
	expect(lineOf(objectAt('after-loss')?.revoked?.site)).toBe(site('after-loss'));
	expect(objectAt('after-loss')?.revoked?.reason).toBe('device lost (destroyed): Device was destroyed.');
	late.destroy();
	again.destroy();
	expect(seen).toEqual([]);
});

test('a lost buffer dropped undestroyed is not reported when collected; one of a live device is', async () => {
	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode: 'full', onViolation: (e) => void (e instanceof LeakError && leaks.push(e)) });
	const device = new GPUDevice();
	const alive = new GPUDevice();
	let collected = 0;
	const counted = new FinalizationRegistry<string>(() => collected++);
	(() => {
		for (let i = 0; i < 5; i++) counted.register(device.createBuffer({ size: 4 }), 'lost');
		alive.createBuffer({ size: 4 }); // @dropped-live
	})();
	device.crash();
	await settle();
	await collectGarbage(() => collected === 5 && leaks.length === 1, 50);
	expect(collected).toBe(5);
	expect(leaks.map((e) => lineOf(e.taken?.site))).toEqual([site('dropped-live')]);
	expect(snapshot().objects.filter((o) => o.revoked?.lost)).toEqual([]);
});

test('neither a device nor its buffers are kept alive, before or after its loss', async () => {
	allowLeaks();
	configure({ mode: 'full', onViolation: () => {} });
	const collected = new Set<string>();
	const registry = new FinalizationRegistry<string>((name) => collected.add(name));
	let survivor: GPUDevice | undefined = new GPUDevice();
	(() => {
		const device = new GPUDevice();
		registry.register(device, 'device');
		for (let i = 0; i < 3; i++) registry.register(device.createBuffer({ size: 4 }), `buffer-${i}`);
		registry.register(survivor!.createBuffer({ size: 4 }), 'survivor-buffer');
	})();
	survivor.destroy();
	await settle();
	registry.register(survivor, 'lost-device');
	survivor = undefined;
	await collectGarbage(() => collected.size === 6, 50);
	expect([...collected].sort()).toEqual(['buffer-0', 'buffer-1', 'buffer-2', 'device', 'lost-device', 'survivor-buffer']);
});

test('revokedWhen is checked: a function, with a disposable made by createdBy', () => {
	class Other {
		destroy(): void {}
	}
	const createdBy = [[GPUDevice.prototype, 'createBuffer']] as const;
	expect(() => instrument(Other, { shape: 'disposable', release: ['destroy'], createdBy: [], revokedWhen: 'lost' as never })).toThrow(
		new TypeError('Expected `revokedWhen` to be a function, got string'),
	);
	expect(() => instrument(Other, { shape: 'disposable', release: ['destroy'], revokedWhen: () => null })).toThrow(
		new TypeError('Expected `revokedWhen` only with shape disposable and `createdBy`, got shape disposable without createdBy'),
	);
	expect(() => instrument(Other, { shape: 'handle', release: ['destroy'], clone: ['destroy'], createdBy, revokedWhen: () => null })).toThrow(
		new TypeError('Expected `revokedWhen` only with shape disposable and `createdBy`, got shape handle'),
	);
	// Refused, so nothing was patched: createBuffer still adopts as GPUBuffer's recipe says, and Other is free.
	expect(() => instrument(Other, { shape: 'disposable', release: ['destroy'] })).not.toThrow();
});

test('a revokedWhen that throws or returns no promise is warned about once per creator; null, a rejection or a value that is no reason are not', async () => {
	const seen = collectViolations();
	const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
	class Maker {
		constructor(readonly lost: unknown) {}
		make(): Made {
			return new Made();
		}
	}
	class Made {
		destroy(): void {}
	}
	instrument(Made, {
		shape: 'disposable',
		release: ['destroy'],
		createdBy: [[Maker.prototype, 'make']],
		revokedWhen: (maker: Maker) => {
			if (maker.lost === 'throw') throw new Error('no lost here');
			return maker.lost as PromiseLike<unknown>;
		},
	});
	try {
		const throwing = new Maker('throw');
		const made = [throwing.make(), throwing.make(), new Maker(42).make(), new Maker(null).make()];
		const rejected = new Maker(Promise.reject(new Error('not a loss'))).make(); // @rejected
		const noReason = new Maker(Promise.resolve({ reason: 'destroyed' })).make(); // @no-reason
		await settle();
		expect(warnings.mock.calls.map((c) => c[0])).toEqual([
			'reftrace: the revokedWhen of Made threw (Error: no lost here); what this creator makes will not be revoked at its loss',
			'reftrace: the revokedWhen of Made returned number, not a promise; what this creator makes will not be revoked at its loss',
		]);
		expect(objectAt('rejected')?.revoked).toBeNull();
		expect(objectAt('no-reason')?.revoked).toMatchObject({ reason: null, lost: true });
		for (const object of [...made, rejected, noReason]) object.destroy();
		expect(seen).toEqual([]);
	} finally {
		warnings.mockRestore();
	}
});

test("a device's watch list stays bounded while it makes and destroys buffers, and keeps the ones still live", async () => {
	collectViolations();
	const watch = lossWatcher(() => new Promise(() => {}), 'Frame');
	const device = {};
	const above = function made() {};
	const held = Array.from({ length: 10 }, () => track({}, { name: 'Frame' }));
	for (const ref of held) watch(device, ref, above);
	for (let frame = 0; frame < 5000; frame++) {
		const ref = track({}, { name: 'Frame' });
		watch(device, ref, above);
		ref.release();
	}
	// Swept as the list doubles: at most twice what is live, and never below the ten still live.
	expect(watch.watched(device)).toBeGreaterThanOrEqual(10);
	expect(watch.watched(device)).toBeLessThan(128);
	for (const ref of held) ref.release();
});

test("a lost buffer stays out of a diff of two snapshots, and out of what a suppression takes from the totals", async () => {
	collectViolations();
	const a = new GPUDevice();
	const b = new GPUDevice();
	const make = (device: GPUDevice) => device.createBuffer({ size: 4 }); // @shared-site
	const before = snapshot();
	const buffers = [make(a), make(b)];
	a.destroy();
	await settle();
	const after = snapshot();
	const diff = diffSnapshots(before, after);
	expect([diff.totals.refs, diff.sites.map((s) => [lineOf(s.site), s.refs])]).toEqual([1, [[site('shared-site'), 1]]]);
	// `reftrace check` with a rule matching that site: only the counted reference leaves the totals.
	const kept = withoutRefs(after, (ref) => lineOf(ref.site) === site('shared-site'), true);
	expect(kept.totals.refs).toBe(after.totals.refs - 1);
	expect(kept.objects.filter((o) => o.revoked?.lost && o.refs.some((r) => lineOf(r.site) === site('shared-site'))).map((o) => o.refs.length)).toEqual([1]);
	for (const buffer of buffers) buffer.destroy();
});

test('in off mode a loss still revokes: a destroy after it is quiet, a second one a double release without history', async () => {
	const seen = collectViolations({ mode: 'off' });
	const device = new GPUDevice();
	const buffer = device.createBuffer({ size: 4 });
	device.destroy();
	await settle();
	buffer.getMappedRange();
	buffer.destroy();
	expect(seen).toEqual([]);
	buffer.destroy(); // @off-second
	expect(seen.map((e) => [e.kind, lineOf(e.culprit.site), e.earlier.length])).toEqual([['double-release', site('off-second'), 0]]);
});

test('revokedWhen is typed: it takes the creator and returns a promise', () => {
	const options = (revokedWhen: RevokedWhen): InstrumentOptions => ({ shape: 'disposable', release: ['destroy'], createdBy: [[GPUDevice.prototype, 'createBuffer']], revokedWhen });
	expect(options((device: GPUDevice) => device.lost.then((info) => info.message)).revokedWhen).toBeTypeOf('function');
	// @ts-expect-error a number is not a promise
	options(() => 3);
});

test("the application's own handlers on device.lost run before the revoke, and see the buffer still live", async () => {
	const seen = collectViolations();
	const device = new GPUDevice();
	const buffer = device.createBuffer({ size: 4 }); // @before-handler
	let inHandler: unknown = 'not run';
	void device.lost.then(() => (inHandler = objectAt('before-handler')?.revoked));
	device.crash();
	await settle();
	expect(inHandler).toBeNull();
	expect(objectAt('before-handler')?.revoked?.lost).toBe(true);
	buffer.destroy();
	expect(seen).toEqual([]);
});
