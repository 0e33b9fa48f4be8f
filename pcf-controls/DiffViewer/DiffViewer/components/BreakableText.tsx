import * as React from 'react';

/**
 * Text whose long words (emails, web addresses, ids) may break after @ . / _ - rather than mid-word: a <wbr> after
 * each of those characters. Rendered as React text nodes, so source data is never markup.
 */
export const BreakableText: React.FC<{ text: string }> = ({ text }) => {
  if (!/\S{20,}/.test(text)) return <>{text}</>;
  const parts = text.split(/(?<=[@./_-])/);
  return <>{parts.map((p, i) => <React.Fragment key={i}>{p}{i < parts.length - 1 ? <wbr /> : null}</React.Fragment>)}</>;
};
