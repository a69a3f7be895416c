/**
 * The Azure public-cloud regions an environment may name in `location`, as ARM spells them (the
 * "Programmatic name" column), so that a misspelt region is refused at synth instead of at apply.
 *
 * Compiled on 2026-12-03 from https://learn.microsoft.com/azure/reliability/regions-list (physical
 * regions of the public cloud, including restricted-access ones, which Azure accepts for entitled
 * subscriptions; "coming soon" regions, sovereign clouds and logical/staging locations left out).
 * Only part of that page could be read when the list was compiled; it was then checked against region names seen in
 * public deployment outputs and release scripts, which added denmarkeast, indiasouthcentral, israelnorthwest,
 * malaysiasouth and taiwannorth. A name still missing is refused with this file named in the message.
 * When Azure opens a region, add it here (refresh with
 * `az account list-locations --query "[?metadata.regionType=='Physical'].name" -o tsv`) and keep the
 * date above current; the rule `locationIsAzureRegion` reads this list.
 *
 * @see https://learn.microsoft.com/azure/reliability/regions-list
 */
export const AZURE_REGIONS_AS_OF = '2026-12-03';

/** See {@link AZURE_REGIONS_AS_OF}. */
export const AZURE_REGIONS: readonly string[] = [
  // Americas
  'brazilsouth',
  'brazilsoutheast',
  'canadacentral',
  'canadaeast',
  'centralus',
  'centraluseuap',
  'chilecentral',
  'eastus',
  'eastus2',
  'eastus2euap',
  'mexicocentral',
  'northcentralus',
  'southcentralus',
  'westcentralus',
  'westus',
  'westus2',
  'westus3',
  // Europe
  'austriaeast',
  'belgiumcentral',
  'denmarkeast',
  'francecentral',
  'francesouth',
  'germanynorth',
  'germanywestcentral',
  'italynorth',
  'northeurope',
  'norwayeast',
  'norwaywest',
  'polandcentral',
  'spaincentral',
  'swedencentral',
  'swedensouth',
  'switzerlandnorth',
  'switzerlandwest',
  'uksouth',
  'ukwest',
  'westeurope',
  // Asia Pacific
  'australiacentral',
  'australiacentral2',
  'australiaeast',
  'australiasoutheast',
  'centralindia',
  'eastasia',
  'indonesiacentral',
  'indiasouthcentral',
  'japaneast',
  'japanwest',
  'jioindiacentral',
  'jioindiawest',
  'koreacentral',
  'koreasouth',
  'malaysiawest',
  'malaysiasouth',
  'newzealandnorth',
  'southeastasia',
  'southindia',
  'taiwannorth',
  'westindia',
  // Middle East and Africa
  'israelcentral',
  'israelnorthwest',
  'qatarcentral',
  'southafricanorth',
  'southafricawest',
  'uaecentral',
  'uaenorth',
];
