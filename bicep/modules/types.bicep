// Types shared by the modules.

@export()
@description('Resource tags: string values only.')
type Tags = {
  *: string
}

@export()
@description('Application settings / environment variables: name to string value.')
type AppSettings = {
  *: string
}
