import { ReactNode, useEffect, useMemo, useState } from 'react';
import ReactMarkdown from 'react-markdown';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  cardImageType,
  FILE_PREVIEW_MAX_BYTES,
} from '@internal/plugin-model-hub-common';
import { modelHubApiRef } from '../../api';
import { blobDataUrl } from '../../lib/blobDataUrl';
import { classifyCardUrl } from '../../lib/readmeLinks';

/*
 * GitHub's sanitising schema, narrowed: raw HTML is parsed (model cards use
 * it) and then everything outside the allowlist goes — script, style, iframe,
 * svg, event handlers, style attributes; URLs only http(s)/mailto (links)
 * and https (images; the image renderer below then loads only files of the
 * same version).
 */
const schema = {
  ...defaultSchema,
  attributes: {
    ...defaultSchema.attributes,
    code: [
      ...(defaultSchema.attributes?.code ?? []),
      ['className', /^language-[\w-]+$/],
    ],
  },
  protocols: {
    href: ['http', 'https', 'mailto'],
    src: ['https'],
    cite: ['https'],
    longDesc: ['https'],
  },
};

const useStyles = makeStyles(theme => ({
  markdown: {
    overflowWrap: 'anywhere',
    '& table': {
      borderCollapse: 'collapse',
      display: 'block',
      overflowX: 'auto',
    },
    '& th, & td': {
      border: `1px solid ${theme.palette.divider}`,
      padding: theme.spacing(0.5, 1),
    },
    '& pre': {
      overflowX: 'auto',
      padding: theme.spacing(1),
      background: theme.palette.background.default,
    },
    '& img': { maxWidth: '100%' },
    // Links in running text must not rely on colour alone (WCAG 1.4.1).
    '& a': { textDecoration: 'underline' },
  },
}));

interface CardContext {
  entityRef: string;
  version: string;
  cardPath: string;
  /** Paths of the version's files: only these are ever requested. */
  files: ReadonlySet<string>;
}

/**
 * An image of the version, read with the viewer's credentials and shown as
 * a `data:` URL whose type comes from the file extension (never from the
 * server or the file), so nothing but an image is ever rendered from it.
 */
function VersionImage(props: CardContext & { path: string; alt: string }) {
  const api = useApi(modelHubApiRef);
  const { entityRef, version, path, alt } = props;
  const type = cardImageType(path);
  const [state, setState] = useState<{ url?: string; error?: string }>({});
  useEffect(() => {
    if (!type) return undefined;
    let cancelled = false;
    api
      .readFile(entityRef, version, path, {
        // The largest card image loaded; a preview, not a pull.
        maxBytes: FILE_PREVIEW_MAX_BYTES,
        preview: true,
      })
      .then(async content => {
        if (content.truncated) return { error: 'image too large to show' };
        return { url: await blobDataUrl(content.blob, type) };
      })
      .catch(() => ({ error: 'image not readable' }))
      .then(next => {
        if (!cancelled) setState(next);
      });
    return () => {
      cancelled = true;
    };
  }, [api, entityRef, version, path, type]);
  if (!type) {
    return (
      <Placeholder
        alt={alt}
        why={`${path} is not a PNG, JPEG, GIF or WebP image`}
      />
    );
  }
  if (state.error)
    return <Placeholder alt={alt} why={`${path}: ${state.error}`} />;
  if (!state.url)
    return <span role="img" aria-label={alt || path} aria-busy="true" />;
  return <img src={state.url} alt={alt} />;
}

function Placeholder(props: { alt: string; why: string }) {
  return (
    <Typography component="span" variant="body2" color="textSecondary">
      [image{props.alt ? `: ${props.alt}` : ''} — {props.why}]
    </Typography>
  );
}

function CardLink(
  props: CardContext & { href?: string; children?: ReactNode },
) {
  const target = classifyCardUrl(props.href ?? '', props.cardPath);
  switch (target.kind) {
    case 'external':
      return (
        <Link
          to={target.href}
          rel="noopener noreferrer nofollow"
          target="_blank"
        >
          {props.children}
        </Link>
      );
    case 'anchor':
      return <a href={target.href}>{props.children}</a>;
    case 'file':
      // Files open from the Files tab (downloads need the viewer's token).
      return (
        <span title={`File ${target.path} of version ${props.version}`}>
          {props.children}
        </span>
      );
    default:
      return <span>{props.children}</span>;
  }
}

function CardImage(props: CardContext & { src?: string; alt?: string }) {
  const alt = props.alt ?? '';
  const target = classifyCardUrl(props.src ?? '', props.cardPath);
  if (target.kind === 'file') {
    if (!props.files.has(target.path)) {
      return (
        <Placeholder
          alt={alt}
          why={`${target.path} is not in version ${props.version}`}
        />
      );
    }
    return <VersionImage {...props} path={target.path} alt={alt} />;
  }
  if (target.kind === 'external') {
    // Not loaded: a card must not make every reader's browser call a third party.
    return (
      <Link to={target.href} rel="noopener noreferrer nofollow" target="_blank">
        [external image{alt ? `: ${alt}` : ''}]
      </Link>
    );
  }
  return <Placeholder alt={alt} why="not an image of this version" />;
}

/**
 * Renders an untrusted model card (Markdown with GitHub tables and raw HTML)
 * sanitised: no script, event handlers, `javascript:`/`data:` URLs or
 * third-party images; relative images come from the same model version.
 */
export function SafeMarkdown(props: CardContext & { content: string }) {
  const classes = useStyles();
  const { content, entityRef, version, cardPath, files } = props;
  // Stable renderers: new ones on every render would remount (and refetch) the images.
  const components = useMemo(() => {
    const context = { entityRef, version, cardPath, files };
    return {
      a: ({ href, children }: { href?: string; children?: ReactNode }) => (
        <CardLink {...context} href={href}>
          {children}
        </CardLink>
      ),
      img: ({ src, alt }: { src?: string; alt?: string }) => (
        <CardImage {...context} src={src} alt={alt} />
      ),
      // Focusable, so a keyboard can scroll a long code block (WCAG 2.1.1).
      pre: ({ children }: { children?: ReactNode }) => (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <pre tabIndex={0}>{children}</pre>
      ),
    };
  }, [entityRef, version, cardPath, files]);
  return (
    <div className={classes.markdown} data-testid="model-readme">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeRaw, [rehypeSanitize, schema]]}
        components={components}
      >
        {content}
      </ReactMarkdown>
    </div>
  );
}
