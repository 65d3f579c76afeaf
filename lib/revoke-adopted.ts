import { markLost } from './lost.js';
import { host } from './platform/host.js';
import { belowAdapter, type Ref } from './ref.js';
import { describeThrown } from './report/format.js';

/*
 * `instrument`'s `revokedWhen`: the objects a creator made (a GPUDevice's buffers) revoked when the promise
 * it names for that creator resolves (`device.lost`). One promise reaction per creator, not per object: a
 * device that makes and destroys buffers every frame would otherwise pile up reactions on its `lost`. The
 * creator's group holds its objects' tokens through WeakRefs, and the reaction holds only the group, so
 * neither the creator nor its objects are kept alive by it; a collected object's token is simply gone.
 */

/** Names, per creator, the promise after which what it made is revoked (its value: the reason, when a non-empty string). */
export type RevokedWhen = (creator: never) => PromiseLike<unknown> | null | undefined;

interface Group {
	readonly tokens: Set<WeakRef<Ref<object>>>;
	/** Set at the loss; what the creator makes after it is revoked at once. */
	lost: { readonly reason: string | null } | null;
	/** Dead tokens are swept out when the set reaches this size. */
	sweepAt: number;
}

const SWEEP_MIN = 64;

/** Revokes `token`'s object for its creator's loss (nothing when it was given back or revoked already). */
function revokeLost(token: Ref<object>, reason: string | null, above: Function | null): void {
	const record = belowAdapter.revoke(token, reason, above);
	if (record !== null) markLost(record);
}

/** The loss, in a promise reaction: every object of the group still live is revoked, with no site (no call of the application's is below). */
function lose(group: Group, reason: string | null): void {
	if (group.lost !== null) return;
	group.lost = { reason };
	for (const weak of group.tokens) {
		const token = weak.deref();
		if (token !== undefined) revokeLost(token, reason, null);
	}
	group.tokens.clear();
}

function sweep(group: Group): void {
	for (const weak of group.tokens) {
		const state = weak.deref()?.state;
		if (state !== 'live' && state !== 'revoked') group.tokens.delete(weak);
	}
	group.sweepAt = Math.max(SWEEP_MIN, group.tokens.size * 2);
}

/**
 * What `instrument` calls with each object a `createdBy` method adopted: `creator` is the object whose
 * method made it, `token` its reference, `above` the patched method (the site of a revoke made at once).
 */
export interface LossWatcher {
	(creator: object, token: Ref<object>, above: Function): void;
	/** How many objects of `creator` are watched (live ones, and given-back ones not swept yet). @internal */
	readonly watched: (creator: object) => number;
}

/** The watcher of one `instrument` call's `revokedWhen`; `name` labels its warnings. */
export function lossWatcher(revokedWhen: RevokedWhen, name: string): LossWatcher {
	const groups = new WeakMap<object, Group | null>();
	const arm = (creator: object): Group | null => {
		let pending: unknown;
		let thenable: boolean;
		try {
			pending = revokedWhen(creator as never);
			thenable = typeof (pending as { then?: unknown } | null | undefined)?.then === 'function';
		} catch (error) {
			host().warn(`reftrace: the revokedWhen of ${name} threw (${describeThrown(error)}); what this creator makes will not be revoked at its loss`, 'REFTRACE_REVOKED_WHEN');
			return null;
		}
		if (pending === null || pending === undefined) return null;
		if (!thenable) {
			host().warn(`reftrace: the revokedWhen of ${name} returned ${typeof pending}, not a promise; what this creator makes will not be revoked at its loss`, 'REFTRACE_REVOKED_WHEN');
			return null;
		}
		const group: Group = { tokens: new Set(), lost: null, sweepAt: SWEEP_MIN };
		// A rejection is not a loss: nothing is revoked (and the rejection counts as handled).
		Promise.resolve(pending).then(
			(value) => lose(group, typeof value === 'string' && value !== '' ? value : null),
			() => {},
		);
		return group;
	};
	const watch = (creator: object, token: Ref<object>, above: Function): void => {
		let group = groups.get(creator);
		if (group === undefined) groups.set(creator, (group = arm(creator)));
		if (group === null) return;
		if (group.lost !== null) return revokeLost(token, group.lost.reason, above);
		group.tokens.add(new WeakRef(token));
		if (group.tokens.size >= group.sweepAt) sweep(group);
	};
	return Object.assign(watch, { watched: (creator: object) => groups.get(creator)?.tokens.size ?? 0 });
}
