/**
 * n8n 2.x's authenticated request helper aborts every request with the execution's cancel
 * signal (it reads `this.getExecutionCancelSignal()` of the context it is called on), so after
 * a Stop nothing more can be sent through the execution's own context. A request that must
 * still go out — a rollback, within its own deadline — is sent through a view of the context
 * whose cancel signal is that deadline. Everything else is the context's own.
 */
export function withCancelSignal<C extends object>(context: C, signal: AbortSignal): C {
	return Object.create(context, { getExecutionCancelSignal: { value: () => signal } }) as C;
}
