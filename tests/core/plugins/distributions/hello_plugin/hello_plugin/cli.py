import click


@click.command()
@click.option("--name", default="world", help="Who to greet.")
def hello(name: str) -> None:
    """Say hello."""
    click.echo(f"Hello, {name}!")
