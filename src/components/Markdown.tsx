/** Markdown rendered by JupyterLab's rendermime; untrusted, so the HTML is sanitized. */
import * as React from 'react';
import { MimeModel } from '@jupyterlab/rendermime';

import { usePanel } from './context';

export interface IMarkdownProps {
  source: string;
  /** data-testid of the rendered block (default modelreg-card-markdown). */
  testId?: string;
}

export function Markdown(props: IMarkdownProps): JSX.Element {
  const { rendermime } = usePanel();
  const host = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    const node = host.current;
    if (!node || !rendermime) {
      return;
    }
    const renderer = rendermime.createRenderer('text/markdown');
    const mimeModel = new MimeModel({
      data: { 'text/markdown': props.source },
      trusted: false
    });
    let live = true;
    void renderer.renderModel(mimeModel).then(() => {
      if (live) {
        node.replaceChildren(renderer.node);
      }
    });
    return () => {
      live = false;
      renderer.dispose();
    };
  }, [props.source, rendermime]);

  if (!rendermime) {
    // Without rendermime (never in JupyterLab), show the text rather than unsanitized HTML.
    return <pre className="jp-modelreg-markdown">{props.source}</pre>;
  }
  return (
    <div
      className="jp-modelreg-markdown"
      ref={host}
      data-testid={props.testId ?? 'modelreg-card-markdown'}
    />
  );
}
