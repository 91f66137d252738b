/**
 * App log lines (the checklist's "mobile logs"). Codes, states and tokens are never logged.
 */
export type LogFn = (message: string, details?: Record<string, unknown>) => void;

export const log: LogFn = (message, details) => {
  if (details) console.log(`[foryoure] ${message}`, details);
  else console.log(`[foryoure] ${message}`);
};

export const LOG = {
  deepLinkReceived: 'deep link callback received',
  exchangeCalled: 'exchange-code called',
  statusUpdated: 'status updated',
  leadsLoaded: 'leads loaded',
} as const;
