/** Monitoring: action groups, metric and log alerts, the endpoint traffic log, workbooks. */
export * from './action-group';
export * from './endpoint-traffic-log';
export * from './log-alert';
export * from './metric-alert';
export * from './workbook';
