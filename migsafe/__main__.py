from migsafe.cli import main

main()
