/**
 * Terraform's built-in `terraform_data` resource (Terraform >= 1.4; no provider to install).
 *
 * Why not cdktf's own `DataResource`: its constructor adds a validation that runs
 * `terraform version` in a child process for every instance at synth
 * (cdktf 0.21 lib/terraform-data-resource.js, `ValidateTerraformVersion(">=1.4")`). That made
 * `npm run synth` fail outright on a machine without the terraform binary ("Could not determine
 * version of terraform"), which synth must never need, and cost about 0.5 s per instance where it
 * is installed. The stacks declare `terraform.required_version >= 1.11` (constructs/azapi
 * provider), which Terraform itself enforces when it loads the configuration, so the check adds
 * nothing. The synthesized JSON is the same as DataResource's.
 */
import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';

export interface TerraformDataProps extends TerraformMetaArguments {
  /** Stored in state and echoed as `output` after apply. @default - none */
  readonly input?: Readonly<Record<string, unknown>>;
  /** A change of this value replaces the resource. @default - none */
  readonly triggersReplace?: Readonly<Record<string, unknown>>;
}

export class TerraformData extends TerraformResource {
  public static readonly tfResourceType = 'terraform_data';
  private readonly input?: Readonly<Record<string, unknown>>;
  private readonly triggersReplace?: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, {
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provider: props.provider,
      dependsOn: props.dependsOn,
      count: props.count,
      lifecycle: props.lifecycle,
      forEach: props.forEach,
    });
    this.input = props.input;
    this.triggersReplace = props.triggersReplace;
  }

  /** The resource's id: a new random UUID each time it is created or replaced. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input, triggers_replace: this.triggersReplace };
  }
}
