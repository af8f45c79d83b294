/** The examples' settings: no execution saved, so no hint about passwords in the history. */
export const SAVES_NOTHING = {
	saveManualExecutions: false,
	saveDataSuccessExecution: 'none',
	saveDataErrorExecution: 'none',
	saveExecutionProgress: false,
} as const;
