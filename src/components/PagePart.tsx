/** A titled part of a main-area page (a version's, a candidate's). */
import * as React from 'react';

export function PagePart(props: {
  title: string;
  children: React.ReactNode;
  testId?: string;
}): JSX.Element {
  return (
    <section className="jp-modelreg-version-part" data-testid={props.testId}>
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}
