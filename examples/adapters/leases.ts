import { configure, markLongLived, settings, track, type Ref } from 'reftrace';

/*
 * Per-lease tokens for any pool: every checkout is a new reference (a Ref) to the pooled resource, and
 * only the lease can give it back. This file is adapter code: its frames are skipped at the top of every
 * stack (wrapperFiles), so sites and owners are the lines of the application that called it.
 */
configure({ wrapperFiles: [...settings().wrapperFiles, import.meta.url] });

/** Leases of the resources of one pool, named `name` in reports. */
export class Leases<R extends object> {
	// The pool's own reference to each resource: meant to live as long as the pool keeps it.
	readonly #roots = new WeakMap<R, Ref<R>>();

	constructor(readonly name: string) {}

	/** A new lease on a resource the pool just handed out. */
	lease(resource: R, owner?: string): Ref<R> {
		let root = this.#roots.get(resource);
		if (root === undefined) {
			root = markLongLived(track(resource, { name: this.name, owner: 'pool' }));
			this.#roots.set(resource, root);
		}
		return root.acquire(owner);
	}

	/**
	 * Ends a lease. @returns the resource, to go back to the pool now; or null for a lease given back
	 * before, which is reported (naming where it was first given back): the resource may be someone else's by now.
	 */
	end(lease: Ref<R>): R | null {
		if (lease.state !== 'live') {
			lease.release();
			return null;
		}
		const resource = lease.value;
		lease.release();
		return resource;
	}

	/** The pool destroyed `resource`: its own reference ends too. */
	forget(resource: R): void {
		this.#roots.get(resource)?.release();
		this.#roots.delete(resource);
	}
}
