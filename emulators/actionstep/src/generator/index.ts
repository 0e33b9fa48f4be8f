export * from './firm';
export { FIRM_TIME_ZONE, localTimestamp, localDate } from './time';
export { hash32, Rng } from './random';
