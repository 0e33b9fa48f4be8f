// One vocabulary for people: objects and tables, options, licences, rules, outcomes, formats. See each module.
export * from './objects';
export * from './options';
export * from './format';
export * from './internalNames';
export * from './progressLabels';
export * from './findingLabels';
