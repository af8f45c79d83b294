/**
 * Runs `task` for indexes 0..count-1 with at most `concurrency` in flight, returning the
 * results in index order whatever order they finish in. Once `stopAfter` says so, no new
 * index starts; those already running finish.
 */
export async function mapInOrder<T>(
	count: number,
	concurrency: number,
	task: (index: number) => Promise<T>,
	stopAfter: (result: T) => boolean = () => false,
): Promise<Array<T | undefined>> {
	const results: Array<T | undefined> = new Array<T | undefined>(count).fill(undefined);
	let next = 0;
	let stopped = false;
	const worker = async () => {
		while (!stopped && next < count) {
			const index = next++;
			const result = await task(index);
			results[index] = result;
			if (stopAfter(result)) stopped = true;
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker);
	await Promise.all(workers);
	return results;
}
