/**
 * A fake clock for pacing tests: time moves only when the test says so, and every sleeper
 * wakes at exactly its time — so waits are checked as numbers, never against the wall clock.
 */
import type { Clock } from '../../nodes/shared/transport/pacing/clock';

interface Timer {
	at: number;
	wake: () => void;
}

/** Lets every promise that can settle, settle. */
export async function settle(): Promise<void> {
	for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
	private time = 0;

	private timers: Timer[] = [];

	/** Every sleep asked for, in order. */
	readonly slept: number[] = [];

	now(): number {
		return this.time;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		signal?.throwIfAborted();
		this.slept.push(ms);
		await new Promise<void>((resolve, reject) => {
			const abort = () => {
				this.timers = this.timers.filter((t) => t !== timer);
				reject(signal?.reason);
			};
			// A sleeper that wakes stops listening: a long-lived signal (a poll's deadline) meets many sleeps.
			const timer: Timer = {
				at: this.time + ms,
				wake: () => {
					signal?.removeEventListener('abort', abort);
					resolve();
				},
			};
			this.timers.push(timer);
			signal?.addEventListener('abort', abort, { once: true });
		});
	}

	/** Moves time on by `ms`, waking each sleeper at its moment, in order. */
	async advance(ms: number): Promise<void> {
		await this.runUntil(this.time + ms);
	}

	/** Moves time on until nothing sleeps any more (or `limitMs` is reached). */
	async runAll(limitMs = 1e9): Promise<void> {
		await this.runUntil(limitMs, true);
	}

	private async runUntil(end: number, stopWhenIdle = false): Promise<void> {
		for (;;) {
			await settle();
			this.timers.sort((a, b) => a.at - b.at);
			const next = this.timers[0];
			if (!next || next.at > end) break;
			this.timers.shift();
			this.time = Math.max(this.time, next.at);
			next.wake();
		}
		if (!stopWhenIdle) this.time = Math.max(this.time, end);
	}
}
