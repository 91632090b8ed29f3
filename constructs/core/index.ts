/** Shared building blocks of every construct group: naming, role grants, metric references. */
export * from './grants';
export * from './metric';
export * from './naming';
export * from './platform-props';
export * from './rbac-propagation';
export * from './values';
export * from './terraform-data';
