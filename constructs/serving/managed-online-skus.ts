/**
 * The VM sizes Azure Machine Learning managed online endpoints accept for a deployment's
 * `instanceType`, vendored from Microsoft's documentation:
 *
 *   "Managed online endpoints SKU list" (reference-managed-online-endpoints-vm-sku-list),
 *   https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list
 *   source: MicrosoftDocs/azure-ai-docs, articles/machine-learning/reference-managed-online-endpoints-vm-sku-list.md
 *   at commit 1d987e37c168d7ef6eaeb8441da7967a197aac00 (page ms.date 10/18/2023), read 2026-12-02.
 *
 * The page lists the names in upper case (`STANDARD_DS3_V2`) and says they can be used in CLI and
 * ARM requests; its own examples and the REST samples write `Standard_DS3_v2`. Azure VM size names
 * are compared without regard to case here (unverified whether the deployment API is
 * case-sensitive: the safe choice is to accept only names on this list, in any case, and to write
 * them as the operator did).
 *
 * Unverified: whether a size is available in a given region and subscription (quota). A size on
 * this list can still fail at deploy time with OutOfQuota; the list only catches names Azure never
 * accepts, such as `Standard_D3S_v2`. When Microsoft adds sizes, append them here with the date.
 */
export const MANAGED_ONLINE_ENDPOINT_SKUS: readonly string[] = [
  // standardDASv4Family
  'Standard_D2as_v4',
  'Standard_D4as_v4',
  'Standard_D8as_v4',
  'Standard_D16as_v4',
  'Standard_D32as_v4',
  'Standard_D48as_v4',
  'Standard_D64as_v4',
  'Standard_D96as_v4',
  // standardDAv4Family
  'Standard_D2a_v4',
  'Standard_D4a_v4',
  'Standard_D8a_v4',
  'Standard_D16a_v4',
  'Standard_D32a_v4',
  'Standard_D48a_v4',
  'Standard_D64a_v4',
  'Standard_D96a_v4',
  // standardDSv2Family
  'Standard_DS1_v2',
  'Standard_DS2_v2',
  'Standard_DS3_v2',
  'Standard_DS4_v2',
  'Standard_DS5_v2',
  // standardESv3Family
  'Standard_E2s_v3',
  'Standard_E4s_v3',
  'Standard_E8s_v3',
  'Standard_E16s_v3',
  'Standard_E32s_v3',
  'Standard_E48s_v3',
  'Standard_E64s_v3',
  // standardFSv2Family
  'Standard_F2s_v2',
  'Standard_F4s_v2',
  'Standard_F8s_v2',
  'Standard_F16s_v2',
  'Standard_F32s_v2',
  'Standard_F48s_v2',
  'Standard_F64s_v2',
  'Standard_F72s_v2',
  // standardFXMDVSFamily
  'Standard_FX4mds',
  'Standard_FX12mds',
  'Standard_FX24mds',
  'Standard_FX36mds',
  'Standard_FX48mds',
  // standardLASv3Family
  'Standard_L8as_v3',
  'Standard_L16as_v3',
  'Standard_L32as_v3',
  'Standard_L48as_v3',
  'Standard_L64as_v3',
  'Standard_L80as_v3',
  // standardLSv2Family
  'Standard_L8s_v2',
  'Standard_L16s_v2',
  'Standard_L32s_v2',
  'Standard_L48s_v2',
  'Standard_L64s_v2',
  'Standard_L80s_v2',
  // standardLSv3Family
  'Standard_L8s_v3',
  'Standard_L16s_v3',
  'Standard_L32s_v3',
  'Standard_L48s_v3',
  'Standard_L64s_v3',
  'Standard_L80s_v3',
  // standardNCADSA100v4Family
  'Standard_NC24ads_A100_v4',
  'Standard_NC48ads_A100_v4',
  'Standard_NC96ads_A100_v4',
  // standard NCASv3_T4 Family
  'Standard_NC4as_T4_v3',
  'Standard_NC8as_T4_v3',
  'Standard_NC16as_T4_v3',
  'Standard_NC64as_T4_v3',
  // standardNCSv2Family
  'Standard_NC6s_v2',
  'Standard_NC12s_v2',
  'Standard_NC24s_v2',
  // standardNCSv3Family
  'Standard_NC6s_v3',
  'Standard_NC12s_v3',
  'Standard_NC24s_v3',
  // standardNCADSH100v5Family
  'Standard_NC40ads_H100_v5',
  'Standard_NC80adis_H100_v5',
  // standard NDAMSv4_A100Family, NDASv4_A100 Family, NDSv2Family, NDv5H100Family
  'Standard_ND96amsr_A100_v4',
  'Standard_ND96asr_v4',
  'Standard_ND40rs_v2',
  'Standard_ND96is_H100_v5',
  'Standard_ND96isr_H100_v5',
  // standardNVADSA10v5Family
  'Standard_NV6ads_A10_v5',
  'Standard_NV12ads_A10_v5',
  'Standard_NV18ads_A10_v5',
  'Standard_NV36ads_A10_v5',
  'Standard_NV36adms_A10_v5',
  'Standard_NV72ads_A10_v5',
];

const BY_UPPER = new Map(MANAGED_ONLINE_ENDPOINT_SKUS.map((s) => [s.toUpperCase(), s]));

/** True when `instanceType` names a size on the documented list (any case). */
export function isManagedOnlineSku(instanceType: string): boolean {
  return BY_UPPER.has(instanceType.toUpperCase());
}

/** The documented sizes closest to `instanceType` (edit distance, any case), for the error hint. */
export function similarManagedOnlineSkus(instanceType: string, max = 3): string[] {
  const wanted = instanceType.toUpperCase();
  return MANAGED_ONLINE_ENDPOINT_SKUS.map((sku) => ({ sku, d: editDistance(wanted, sku.toUpperCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.sku);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}
