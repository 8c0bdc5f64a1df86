import { ReactElement } from 'react';
import { Entity } from '@backstage/catalog-model';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import PeopleIcon from '@material-ui/icons/People';
import PublicIcon from '@material-ui/icons/Public';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import HelpOutlineIcon from '@material-ui/icons/HelpOutline';
import { ModelTier } from '@internal/plugin-model-hub-common';
import { TierStatus, getTierStatus } from '../../lib/model';

/** The visual variants of a tier badge. */
export type TierBadgeVariant =
  | 'official'
  | 'community'
  | 'external'
  | 'official-requested'
  | 'unknown';

/** What a tier badge says: its variant, visible label and longer explanation. */
export interface TierBadgeDescription {
  variant: TierBadgeVariant;
  label: string;
  description: string;
}

const TIER_NAMES: Record<ModelTier, string> = {
  official: 'Official',
  community: 'Community',
  external: 'External',
};

const TIER_MEANING: Record<ModelTier, string> = {
  official:
    'Official: vetted by the compliance gauntlet and supported by a steward team.',
  community:
    'Community: published by a team without the official guarantees; use at your own risk.',
  external:
    'External: a third-party model registered for visibility; not hosted or vetted by the hub.',
};

/**
 * Decides what a tier badge shows. The earned tier (the
 * `modelhub.io/effective-tier` annotation) wins; without it the requested
 * `spec.tier` is shown, and a requested official tier is labelled as not yet
 * earned.
 */
export function describeTier(status: TierStatus): TierBadgeDescription {
  const { effective, requested } = status;
  if (effective) {
    if (requested === 'official' && effective !== 'official') {
      return {
        variant: effective,
        label: `${TIER_NAMES[effective]} (official requested, not earned)`,
        description: `${TIER_MEANING[effective]} The owners requested the official tier, but the model has not earned it.`,
      };
    }
    return {
      variant: effective,
      label: TIER_NAMES[effective],
      description: TIER_MEANING[effective],
    };
  }
  if (requested === 'official') {
    return {
      variant: 'official-requested',
      label: 'Official (requested, not yet earned)',
      description:
        'The owners requested the official tier; the compliance gauntlet has not confirmed it yet.',
    };
  }
  if (requested) {
    // A tier is earned, never merely claimed: until the gauntlet has checked a
    // version, the declared tier is shown as declared.
    return {
      variant: requested,
      label: `${TIER_NAMES[requested]} (declared, not yet checked)`,
      description: `${TIER_MEANING[requested]} Declared in the model's YAML; the compliance gauntlet has not checked a version yet.`,
    };
  }
  return {
    variant: 'unknown',
    label: 'Tier unknown',
    description: 'This model declares no valid tier.',
  };
}

// Official and external badges carry white text on fixed dark shades
// (Green 800, Blue 800): the theme's success/info mains give 2.5–3.1:1,
// below the WCAG AA 4.5:1 for small text.
const useStyles = makeStyles(theme => ({
  official: {
    backgroundColor: '#2e7d32',
    color: '#fff',
  },
  community: {
    backgroundColor: theme.palette.warning?.main ?? '#ed6c02',
    color: theme.palette.warning?.contrastText ?? '#000',
  },
  external: {
    backgroundColor: '#1565c0',
    color: '#fff',
  },
  officialRequested: {
    borderStyle: 'dashed',
  },
  unknown: {},
  icon: {
    color: 'inherit',
  },
}));

/** Props of {@link TierBadge}: either a model entity or an explicit status. */
export type TierBadgeProps = (
  | { entity: Entity; status?: never }
  | { status: TierStatus; entity?: never }
) & { size?: 'small' | 'medium' };

/** An accessible badge naming the tier of a model, honest about unearned tiers. */
export function TierBadge(props: TierBadgeProps) {
  const classes = useStyles();
  const status = props.entity ? getTierStatus(props.entity) : props.status!;
  const { variant, label, description } = describeTier(status);
  const icons: Record<TierBadgeVariant, ReactElement> = {
    official: <VerifiedUserIcon className={classes.icon} />,
    community: <PeopleIcon className={classes.icon} />,
    external: <PublicIcon className={classes.icon} />,
    'official-requested': <HourglassEmptyIcon />,
    unknown: <HelpOutlineIcon />,
  };
  const className = {
    official: classes.official,
    community: classes.community,
    external: classes.external,
    'official-requested': classes.officialRequested,
    unknown: classes.unknown,
  }[variant];
  return (
    <Chip
      size={props.size ?? 'small'}
      label={label}
      icon={icons[variant]}
      variant={
        variant === 'official-requested' || variant === 'unknown'
          ? 'outlined'
          : 'default'
      }
      className={className}
      role="img"
      aria-label={`Tier: ${label}`}
      title={description}
      data-testid={`tier-badge-${variant}`}
    />
  );
}
